import { applyToUsers } from '../../src/client/users';

describe('applyToUsers', () => {
  it('takes the welcome list, sorted the way the server sorts it', () => {
    expect(applyToUsers(['old'], { type: 'welcome', name: 'b', users: ['bob', 'Alice', 'carol'] })).toEqual(['Alice', 'bob', 'carol']);
  });

  it('inserts joins in order, removes leaves, and returns the same list when nothing changes', () => {
    const users = ['alice', 'carol'];
    expect(applyToUsers(users, { type: 'joined', name: 'Bob', ts: 1 })).toEqual(['alice', 'Bob', 'carol']);
    expect(applyToUsers(users, { type: 'joined', name: 'zed', ts: 1 })).toEqual(['alice', 'carol', 'zed']);
    expect(applyToUsers(users, { type: 'left', name: 'alice', reason: 'quit', ts: 1 })).toEqual(['carol']);
    expect(applyToUsers(users, { type: 'joined', name: 'alice', ts: 1 })).toBe(users);
    expect(applyToUsers(users, { type: 'left', name: 'nobody', reason: 'quit', ts: 1 })).toBe(users);
    expect(applyToUsers(users, { type: 'message', from: 'a', text: 't', ts: 1, id: 1 })).toBe(users);
  });
});
