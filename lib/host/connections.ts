// Closing a server's keep-alive connections on drain: idle ones first, then all. Node ≥ 18.2 has
// `server.closeIdleConnections()`/`closeAllConnections()`; builder-node's Node 16 does not, so the host counts the
// requests open on each socket itself there.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Connections {
  closeIdle(): void;
  closeAll(): void;
}

export function trackConnections(server: Server): Connections {
  const native = server as Server & { closeIdleConnections?: () => void; closeAllConnections?: () => void };
  if (typeof native.closeIdleConnections === 'function' && typeof native.closeAllConnections === 'function') {
    return { closeIdle: () => native.closeIdleConnections!(), closeAll: () => native.closeAllConnections!() };
  }
  const open = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    open.set(socket, 0);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket as Socket;
    open.set(socket, (open.get(socket) ?? 0) + 1);
    res.once('close', () => open.has(socket) && open.set(socket, Math.max(0, (open.get(socket) ?? 1) - 1)));
  });
  return {
    closeIdle: () => {
      for (const [socket, requests] of open) if (requests === 0) socket.destroy();
    },
    closeAll: () => {
      for (const socket of open.keys()) socket.destroy();
    },
  };
}
