import { createEditorState, EditorAction, EditorState, editLine, editorText, inputWindow, submitLine } from '../../src/client/line-editor';

const type = (state: EditorState, text: string) => editLine(state, { type: 'insert', text });
const run = (state: EditorState, ...actions: Array<EditorAction['type'] | string>) =>
  actions.reduce(
    (s, action) =>
      action.startsWith('"') ? type(s, action.slice(1, -1)) : editLine(s, { type: action } as EditorAction),
    state,
  );
const submit = (state: EditorState, text: string) => submitLine(type(state, text)).state;

describe('line editor', () => {
  it('inserts at the cursor and moves, deletes and kills around it', () => {
    let state = run(createEditorState(), '"hello world"', 'home', 'right', '"X"');
    expect(editorText(state)).toBe('hXello world');
    state = run(state, 'backspace', 'delete');
    expect(editorText(state)).toBe('hllo world');
    state = run(state, 'end', 'kill-word');
    expect(editorText(state)).toBe('hllo ');
    state = run(state, '"there"', 'left', 'left', 'kill-after');
    expect(editorText(state)).toBe('hllo the');
    state = run(state, 'kill-before');
    expect(editorText(state)).toBe('');
    expect(state.cursor).toBe(0);
  });

  it('keeps the cursor inside the line', () => {
    const state = run(createEditorState(), '"ab"', 'right', 'right', 'home', 'left', 'backspace');
    expect(state.cursor).toBe(0);
    expect(editorText(state)).toBe('ab');
  });

  it('treats an emoji as one character, even when it arrives as two halves', () => {
    let state = type(createEditorState(), '\ud83d');
    expect(editorText(state)).toBe('');
    state = run(type(state, '\ude00'), '"!"', 'left', 'left', 'delete');
    expect(editorText(state)).toBe('!');
    expect(editorText(type(createEditorState(), 'a😀b'))).toBe('a😀b');
  });

  it('refuses control characters, so nothing typed can reach another terminal', () => {
    expect(editorText(type(createEditorState(), 'a\u001b[31mb\rc\u202ed'))).toBe('a[31mbcd');
  });

  it('submits the line and remembers it; Up and Down walk the history and come back to the draft', () => {
    let state = submit(submit(createEditorState(), 'first'), 'second');
    state = type(state, 'draft');
    state = run(state, 'history-previous');
    expect(editorText(state)).toBe('second');
    state = run(state, 'history-previous', 'history-previous');
    expect(editorText(state)).toBe('first');
    state = run(state, 'history-next');
    expect(editorText(state)).toBe('second');
    state = run(state, 'history-next');
    expect(editorText(state)).toBe('draft');
    expect(state.cursor).toBe(5);
    expect(run(state, 'history-next')).toBe(state);
  });

  it('skips blank lines and immediate repeats, and forgets the oldest past the limit', () => {
    let state = createEditorState(3);
    for (const line of ['a', 'a', '  ', 'b', 'c', 'd']) state = submit(state, line);
    expect(state.history.toArray()).toEqual(['b', 'c', 'd']);
    const { line, state: after } = submitLine(type(state, 'typed'));
    expect(line).toBe('typed');
    expect(editorText(after)).toBe('');
  });

  it('editing a recalled line leaves the history entry as it was', () => {
    let state = submit(createEditorState(), 'original');
    state = run(state, 'history-previous', '" changed"');
    expect(editorText(state)).toBe('original changed');
    expect(state.history.toArray()).toEqual(['original']);
  });
});

describe('inputWindow', () => {
  const width = (ch: string) => (/[\u1100-\uffff]|[\ud800-\udbff]/.test(ch) ? 2 : 1);

  it('shows everything when it fits, with the cursor after the text', () => {
    expect(inputWindow(type(createEditorState(), 'hello'), 20, width)).toEqual({ before: 'hello', atCursor: ' ', after: '' });
  });

  it('scrolls so the cursor stays visible in a long line', () => {
    const state = type(createEditorState(), 'abcdefghijklmnopqrstuvwxyz');
    expect(inputWindow(state, 10, width)).toEqual({ before: 'rstuvwxyz', atCursor: ' ', after: '' });
    const home = editLine(state, { type: 'home' });
    expect(inputWindow(home, 10, width)).toEqual({ before: '', atCursor: 'a', after: 'bcdefghij' });
  });

  it('counts wide characters as two cells', () => {
    const state = type(createEditorState(), '世界世界世界');
    const window = inputWindow(state, 7, width);
    expect(window).toEqual({ before: '界世界', atCursor: ' ', after: '' });
  });
});
