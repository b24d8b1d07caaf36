// The `:` prompt: where to go, and the few commands that are easier typed than keyed
// (breakpoints and watchpoints by address, deleting stops, memory follow, event filters).

export type Command =
  | { kind: 'event'; seq: number }
  | { kind: 'icount'; icount: number }
  | { kind: 'address'; text: string }
  | { kind: 'break'; text: string }
  | { kind: 'watch'; text: string; length: number; access: 'read' | 'write' | 'access' }
  | { kind: 'delete'; id: number | null }
  | { kind: 'mem'; text: string }
  | { kind: 'filter-kind'; kinds: string[] }
  | { kind: 'filter-domain'; domain: number | null }
  | { kind: 'error'; message: string };

const ACCESS: Record<string, 'read' | 'write' | 'access'> = { r: 'read', w: 'write', rw: 'access', read: 'read', write: 'write', access: 'access' };

export function parseCommand(input: string): Command {
  const t = input.trim();
  if (!t) return { kind: 'error', message: 'type #SEQ, @ICOUNT or an address (0x…, symbol, register)' };
  let m = /^#(\d+)$/.exec(t) ?? /^(\d+)$/.exec(t);
  if (m) return { kind: 'event', seq: Number(m[1]) };
  m = /^@([\d_]+)$/.exec(t);
  if (m) return { kind: 'icount', icount: Number(m[1].replace(/_/g, '')) };
  const [word, ...rest] = t.split(/\s+/);
  const arg = rest.join(' ');
  switch (word) {
    case 'b':
    case 'break':
      return arg ? { kind: 'break', text: arg } : { kind: 'error', message: 'b ADDR: an address, symbol or register' };
    case 'w':
    case 'watch': {
      if (!rest.length) return { kind: 'error', message: 'w ADDR [LEN] [r|w|rw]' };
      let length = 8;
      let access: 'read' | 'write' | 'access' = 'write';
      for (const x of rest.slice(1)) {
        if (/^(0x[0-9a-f]+|\d+)$/i.test(x)) length = Number(x);
        else if (ACCESS[x]) access = ACCESS[x];
        else return { kind: 'error', message: `w ADDR [LEN] [r|w|rw]: did not understand "${x}"` };
      }
      if (!(length >= 1)) return { kind: 'error', message: 'a watchpoint covers at least 1 byte' };
      return { kind: 'watch', text: rest[0], length, access };
    }
    case 'd':
    case 'delete':
      if (!arg) return { kind: 'delete', id: null };
      return /^\d+$/.test(arg) ? { kind: 'delete', id: Number(arg) } : { kind: 'error', message: 'd [N]: a stop number (all stops without N)' };
    case 'mem':
    case 'x':
      return arg ? { kind: 'mem', text: arg } : { kind: 'error', message: 'mem ADDR|REGISTER' };
    case 'kind':
      return { kind: 'filter-kind', kinds: arg.split(/[\s,]+/).filter(Boolean) };
    case 'domain':
      if (!arg) return { kind: 'filter-domain', domain: null };
      return /^\d+$/.test(arg) ? { kind: 'filter-domain', domain: Number(arg) } : { kind: 'error', message: 'domain [N]' };
  }
  return { kind: 'address', text: t };
}
