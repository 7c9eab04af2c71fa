// Preloaded into import-time measurements: any network use while a bundle loads is reported and fails.
import dns from 'node:dns';
import net from 'node:net';

const block = (what) => {
  process.stderr.write(`NETWORK_AT_IMPORT ${what}\n`);
  throw new Error(`network use at import: ${what}`);
};
net.Socket.prototype.connect = () => block('socket');
dns.lookup = () => block('dns');
globalThis.fetch = () => block('fetch');
