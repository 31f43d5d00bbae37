/**
 * The `chat` package for programs: run a server, or talk to one. The terminal client and the
 * `chat` command are built on exactly these.
 */
export { createChatServer } from './server/server';
export type { ChatServer, ChatServerOptions, ServerStats } from './server/server';
export { createLogger } from './server/logger';
export type { Logger, LogLevel } from './server/logger';
export { createChatClient, ChatClientError } from './client/chat-client';
export type {
  ChatClient,
  ChatClientOptions,
  ChatClientTlsOptions,
  ChatCommand,
  ChatEvent,
  ClientEvent,
  ConnectionState,
  SendResult,
} from './client/chat-client';
export type { ClientCommand, ServerEvent, ErrorCode, LeaveReason } from './protocol/frames';
