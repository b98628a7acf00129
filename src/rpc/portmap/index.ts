// Portmapper v2 and rpcbind v3/v4 (RFC 1833): codecs, server, client, registration helper.

export * from './client.js';
export * from './rpcnames.js';
export * from './server.js';
export * from './types.js';
