import { ServerEvent } from '../protocol/frames';

/** Case-insensitive order, the same one the server sorts its `welcome` list in. */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, undefined, { sensitivity: 'base' });
}

/**
 * The users online after an event, given the list before it. Pure; returns the same array when the
 * event changes nothing, so callers can skip re-rendering.
 */
export function applyToUsers(users: readonly string[], event: ServerEvent): readonly string[] {
  switch (event.type) {
    case 'welcome':
      return [...event.users].sort(compareNames);
    case 'joined': {
      if (users.includes(event.name)) return users;
      const at = users.findIndex((user) => compareNames(user, event.name) > 0);
      return at === -1 ? [...users, event.name] : [...users.slice(0, at), event.name, ...users.slice(at)];
    }
    case 'left':
      return users.includes(event.name) ? users.filter((user) => user !== event.name) : users;
    default:
      return users;
  }
}
