// ONC RPC v2 (RFC 5531): messages, record marking, clients and servers.

export {
  type CallOptions,
  describeReply,
  type RpcClient,
  type RpcClientOptions,
  RpcError,
  rpcClient,
  tcpClient,
  udpClient,
} from './client.js';
export * from './message.js';
export * from './record.js';
export {
  type CallInfo,
  type DispatcherOptions,
  isLoopback,
  listenRpcTcp,
  listenRpcUdp,
  NO_REPLY,
  type PeerInfo,
  type Procedure,
  type ProgramVersion,
  procedure,
  RpcDispatcher,
  RpcFault,
  type RpcTcpOptions,
  type RpcTcpServer,
  type RpcUdpOptions,
  type UdpServer,
  udpReplyLimit,
} from './server.js';
