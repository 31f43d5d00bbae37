import { List } from 'immutable';
import { isUnsafeCharacter } from './display-text';
import { INPUT_HISTORY_LIMIT } from './limits';

/**
 * The one-line input of the terminal UI, as a pure state machine: the text being typed (as code
 * points, so the cursor never lands inside an emoji), the cursor, and the history Up/Down walks.
 */
export interface EditorState {
  readonly chars: readonly string[];
  /** Index into `chars`; `chars.length` means after the last character. */
  readonly cursor: number;
  /** Submitted lines, oldest first, at most `historyLimit`. */
  readonly history: List<string>;
  /** Which history entry is shown while walking it with Up/Down; `undefined` when editing fresh text. */
  readonly browsing: number | undefined;
  /** What was being typed before walking the history, given back by Down past the newest entry. */
  readonly draft: readonly string[];
  /**
   * A high surrogate waiting for its pair: the terminal library hands over an emoji as two halves,
   * one keypress each.
   */
  readonly pendingHigh: string;
  readonly historyLimit: number;
}

export type EditorAction =
  | { readonly type: 'insert'; readonly text: string }
  | {
      readonly type:
        | 'backspace'
        | 'delete'
        | 'left'
        | 'right'
        | 'home'
        | 'end'
        | 'kill-before'
        | 'kill-after'
        | 'kill-word'
        | 'history-previous'
        | 'history-next';
    };

export function createEditorState(historyLimit = INPUT_HISTORY_LIMIT): EditorState {
  return { chars: [], cursor: 0, history: List(), browsing: undefined, draft: [], pendingHigh: '', historyLimit };
}

/** The text in the input line. */
export function editorText(state: EditorState): string {
  return state.chars.join('');
}

export function editLine(state: EditorState, action: EditorAction): EditorState {
  const { chars, cursor } = state;
  switch (action.type) {
    case 'insert': {
      const inserted = typeable(state.pendingHigh + action.text);
      const pendingHigh = /[\ud800-\udbff]$/.test(action.text) ? action.text.slice(-1) : '';
      if (inserted.length === 0) return { ...state, pendingHigh };
      return {
        ...edited(state, [...chars.slice(0, cursor), ...inserted, ...chars.slice(cursor)], cursor + inserted.length),
        pendingHigh,
      };
    }
    case 'backspace':
      return cursor === 0 ? state : edited(state, [...chars.slice(0, cursor - 1), ...chars.slice(cursor)], cursor - 1);
    case 'delete':
      return cursor === chars.length ? state : edited(state, [...chars.slice(0, cursor), ...chars.slice(cursor + 1)], cursor);
    case 'left':
      return { ...state, cursor: Math.max(0, cursor - 1) };
    case 'right':
      return { ...state, cursor: Math.min(chars.length, cursor + 1) };
    case 'home':
      return { ...state, cursor: 0 };
    case 'end':
      return { ...state, cursor: chars.length };
    case 'kill-before':
      return edited(state, chars.slice(cursor), 0);
    case 'kill-after':
      return edited(state, chars.slice(0, cursor), cursor);
    case 'kill-word': {
      let start = cursor;
      while (start > 0 && chars[start - 1] === ' ') start--;
      while (start > 0 && chars[start - 1] !== ' ') start--;
      return edited(state, [...chars.slice(0, start), ...chars.slice(cursor)], start);
    }
    case 'history-previous': {
      if (state.history.size === 0 || state.browsing === 0) return state;
      const browsing = state.browsing === undefined ? state.history.size - 1 : state.browsing - 1;
      const shown = Array.from(state.history.get(browsing) ?? '');
      return { ...state, browsing, draft: state.browsing === undefined ? chars : state.draft, chars: shown, cursor: shown.length };
    }
    case 'history-next': {
      if (state.browsing === undefined) return state;
      const browsing = state.browsing + 1;
      if (browsing >= state.history.size) {
        return { ...state, browsing: undefined, chars: state.draft, cursor: state.draft.length, draft: [] };
      }
      const shown = Array.from(state.history.get(browsing) ?? '');
      return { ...state, browsing, chars: shown, cursor: shown.length };
    }
  }
}

/**
 * Enter: returns the line and an empty input. A non-blank line joins the history unless it repeats
 * the newest entry; the oldest entries fall off past the limit.
 */
export function submitLine(state: EditorState): { readonly state: EditorState; readonly line: string } {
  const line = editorText(state);
  let history = state.history;
  if (line.trim().length > 0 && history.last() !== line) {
    history = history.push(line);
    if (history.size > state.historyLimit) history = history.skip(history.size - state.historyLimit).toList();
  }
  return { state: { ...state, chars: [], cursor: 0, history, browsing: undefined, draft: [], pendingHigh: '' }, line };
}

/** Editing a line taken from the history makes it fresh text: the history entry itself is unchanged. */
function edited(state: EditorState, chars: readonly string[], cursor: number): EditorState {
  return { ...state, chars, cursor, browsing: undefined };
}

/** Code points that may be typed: controls, bidi controls and unpaired surrogates are refused. */
function typeable(text: string): string[] {
  return Array.from(text).filter((ch) => !isUnsafeCharacter(ch));
}

/** The part of the input that fits in `width` cells, with the cursor always in view. */
export interface InputWindow {
  readonly before: string;
  /** The character under the cursor, or a space when the cursor is after the last character. */
  readonly atCursor: string;
  readonly after: string;
}

/**
 * Scrolls the input horizontally: as much as fits to the left of the cursor, the cursor, then as much
 * as fits after it. `charWidth` gives a code point's width in cells (2 for wide CJK and emoji).
 */
export function inputWindow(state: EditorState, width: number, charWidth: (ch: string) => number): InputWindow {
  const { chars, cursor } = state;
  const atCursor = chars[cursor] ?? ' ';
  let used = Math.max(1, charWidth(atCursor));
  let start = cursor;
  while (start > 0 && used + charWidth(chars[start - 1]) <= width) {
    start--;
    used += charWidth(chars[start]);
  }
  let end = cursor + 1;
  while (end < chars.length && used + charWidth(chars[end]) <= width) {
    used += charWidth(chars[end]);
    end++;
  }
  return { before: chars.slice(start, cursor).join(''), atCursor, after: chars.slice(cursor + 1, end).join('') };
}
