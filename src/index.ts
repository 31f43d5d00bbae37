/**
 * The `rxchat` package for programs: run a server, or talk to one. The terminal client and the
 * `chat` command are built on exactly these. Everything a program may import is exported here, and
 * only from here: package.json's `exports` map offers this file alone, so the modules behind it can
 * move without breaking a bot.
 */
export { createChatServer } from './server/server';
export type { ChatServer, ChatServerOptions, ServerStats } from './server/server';
export { createLogger } from './support/logger';
export type { Logger, LogLevel } from './support/logger';
export { createChatClient, ChatClientError, isUntrustedCertificate } from './client/chat-client';
export type {
  ChatClient,
  ChatClientErrorCode,
  ChatClientOptions,
  ChatClientTlsOptions,
  ChatCommand,
  ChatEvent,
  ClientEvent,
  ConnectionEvent,
  ConnectionState,
  SendResult,
} from './client/chat-client';
export { readCaFile } from './client/certificate-file';
export { displayText } from './client/display-text';
export { roomKey } from './client/rooms';
export type { ClientCommand, ServerEvent, ErrorCode, LeaveReason } from './protocol/frames';
