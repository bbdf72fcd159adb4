// Preloaded into a `helios` child (NODE_OPTIONS=--import …) to make the folder HELIOS_TEST_DISK
// behave like a small disk: once HELIOS_TEST_DISK_BYTES bytes have been written under it, every
// further write there fails with ENOSPC, as a full tmpfs would (a tmpfs cannot be mounted here).
import fs from 'node:fs';
import path from 'node:path';

const root = process.env.HELIOS_TEST_DISK ? path.resolve(process.env.HELIOS_TEST_DISK) : undefined;
let left = Number(process.env.HELIOS_TEST_DISK_BYTES ?? Infinity);

if (root) {
  const inside = (file) => typeof file === 'string' && path.resolve(file).startsWith(root + path.sep);
  const enospc = (syscall) => Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
  const bytesOf = (data) => (typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength ?? 0);
  const spend = (data, syscall) => {
    const n = bytesOf(data);
    if (n > left) {
      left = 0;
      throw enospc(syscall);
    }
    left -= n;
  };

  const p = fs.promises;
  const open = p.open.bind(p);
  p.open = async (file, ...rest) => {
    const handle = await open(file, ...rest);
    if (!inside(file)) return handle;
    const writeFile = handle.writeFile.bind(handle);
    const write = handle.write.bind(handle);
    handle.writeFile = async (data, ...more) => {
      spend(data, 'write');
      return writeFile(data, ...more);
    };
    handle.write = async (data, ...more) => {
      spend(data, 'write');
      return write(data, ...more);
    };
    return handle;
  };
  for (const name of ['writeFile', 'appendFile']) {
    const original = p[name].bind(p);
    p[name] = async (file, data, ...rest) => {
      if (inside(file)) spend(data, 'write');
      return original(file, data, ...rest);
    };
  }
  for (const name of ['writeFileSync', 'appendFileSync']) {
    const original = fs[name];
    fs[name] = (file, data, ...rest) => {
      if (inside(file)) spend(data, 'write');
      return original(file, data, ...rest);
    };
  }
}
