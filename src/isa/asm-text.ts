// Assembly text for the Assembler: `asm(a, text)` appends GNU-as-style lines —
// labels (`loop:`), instructions with the operand syntax objdump prints (`ld a0,8(sp)`,
// `amoswap.w.aq a0,a1,(a2)`, `csrw mtvec,t0`), the common pseudo-instructions and data
// directives (.byte .half .word .dword .ascii .asciz .align/.p2align .balign .space).
// Because it accepts objdump's own spellings (including binutils 2.40's `add a0,a0,1` for
// addi), disassembled text can be assembled back; tests/isa/asm.test.ts checks that.
import { AsmError, type Assembler, type Target } from './asm.ts';
import { opByMnemonic, type Operand } from './asm-operands.ts';

type Handler = (a: Assembler, ops: string[]) => unknown;

const target = (s: string): Target => (/^[+-]?(0x[0-9a-f]+|\d+)$/i.test(s) ? BigInt(s) : s);
const isImmediate = (s: string | undefined) => s !== undefined && /^[+-]?(0x[0-9a-f]+|0b[01]+|\d+)$/i.test(s);
const int = (s: string) => {
  if (!isImmediate(s)) throw new AsmError(`expected a number, got "${s}"`);
  const neg = s.startsWith('-');
  const v = BigInt(s.replace(/^[+-]/, ''));
  return neg ? -v : v;
};
const small = (s: string) => Number(int(s));

/** Register-register mnemonics gas (and objdump 2.40) also write with an immediate. */
const IMMEDIATE_FORM: Record<string, string> = {
  add: 'addi', and: 'andi', or: 'ori', xor: 'xori', sll: 'slli', srl: 'srli', sra: 'srai', slt: 'slti', sltu: 'sltiu',
  addw: 'addiw', sllw: 'slliw', srlw: 'srliw', sraw: 'sraiw', csrrw: 'csrrwi', csrrs: 'csrrsi', csrrc: 'csrrci',
};

const PSEUDO: Record<string, Handler> = {
  nop: (a) => a.nop(),
  li: (a, [rd, v]) => a.li(rd, int(v)),
  la: (a, [rd, t]) => a.la(rd, target(t)),
  lla: (a, [rd, t]) => a.la(rd, target(t)),
  call: (a, [t]) => a.call(target(t)),
  tail: (a, [t]) => a.tail(target(t)),
  j: (a, [t]) => a.j(target(t)),
  ret: (a) => a.ret(),
  mv: (a, [rd, rs]) => a.mv(rd, rs),
  not: (a, [rd, rs]) => a.not(rd, rs),
  neg: (a, [rd, rs]) => a.neg(rd, rs),
  negw: (a, [rd, rs]) => a.negw(rd, rs),
  'sext.w': (a, [rd, rs]) => a.sextW(rd, rs),
  'zext.b': (a, [rd, rs]) => a.zextB(rd, rs),
  seqz: (a, [rd, rs]) => a.seqz(rd, rs),
  snez: (a, [rd, rs]) => a.snez(rd, rs),
  sltz: (a, [rd, rs]) => a.sltz(rd, rs),
  sgtz: (a, [rd, rs]) => a.sgtz(rd, rs),
  beqz: (a, [rs, t]) => a.beqz(rs, target(t)),
  bnez: (a, [rs, t]) => a.bnez(rs, target(t)),
  blez: (a, [rs, t]) => a.blez(rs, target(t)),
  bgez: (a, [rs, t]) => a.bgez(rs, target(t)),
  bltz: (a, [rs, t]) => a.bltz(rs, target(t)),
  bgtz: (a, [rs, t]) => a.bgtz(rs, target(t)),
  bgt: (a, [rs, rt, t]) => a.bgt(rs, rt, target(t)),
  ble: (a, [rs, rt, t]) => a.ble(rs, rt, target(t)),
  bgtu: (a, [rs, rt, t]) => a.bgtu(rs, rt, target(t)),
  bleu: (a, [rs, rt, t]) => a.bleu(rs, rt, target(t)),
  csrr: (a, [rd, c]) => a.csrr(rd, csr(c)),
  csrw: (a, [c, v]) => (isImmediate(v) ? a.csrwi(csr(c), small(v)) : a.csrw(csr(c), v)),
  csrs: (a, [c, v]) => (isImmediate(v) ? a.csrsi(csr(c), small(v)) : a.csrs(csr(c), v)),
  csrc: (a, [c, v]) => (isImmediate(v) ? a.csrci(csr(c), small(v)) : a.csrc(csr(c), v)),
  csrwi: (a, [c, v]) => a.csrwi(csr(c), small(v)),
  csrsi: (a, [c, v]) => a.csrsi(csr(c), small(v)),
  csrci: (a, [c, v]) => a.csrci(csr(c), small(v)),
  rdcycle: (a, [rd]) => a.rdcycle(rd),
  rdtime: (a, [rd]) => a.rdtime(rd),
  rdinstret: (a, [rd]) => a.rdinstret(rd),
  frcsr: (a, [rd]) => a.frcsr(rd),
  frrm: (a, [rd]) => a.frrm(rd),
  frflags: (a, [rd]) => a.frflags(rd),
  fscsr: (a, ops) => (ops.length === 1 ? a.fscsr(ops[0]) : a.csrrw(ops[0], 'fcsr', ops[1])),
  fsrm: (a, ops) => (ops.length === 1 ? a.fsrm(ops[0]) : a.csrrw(ops[0], 'frm', ops[1])),
  fsflags: (a, ops) => (ops.length === 1 ? a.fsflags(ops[0]) : a.csrrw(ops[0], 'fflags', ops[1])),
  fsrmi: (a, ops) => (ops.length === 1 ? a.csrwi('frm', small(ops[0])) : a.csrrwi(ops[0], 'frm', small(ops[1]))),
  fsflagsi: (a, ops) => (ops.length === 1 ? a.csrwi('fflags', small(ops[0])) : a.csrrwi(ops[0], 'fflags', small(ops[1]))),
  'fmv.s': (a, [rd, rs]) => a.inst('fsgnj.s', rd, rs, rs),
  'fneg.s': (a, [rd, rs]) => a.inst('fsgnjn.s', rd, rs, rs),
  'fabs.s': (a, [rd, rs]) => a.inst('fsgnjx.s', rd, rs, rs),
  'fmv.d': (a, [rd, rs]) => a.inst('fsgnj.d', rd, rs, rs),
  'fneg.d': (a, [rd, rs]) => a.inst('fsgnjn.d', rd, rs, rs),
  'fabs.d': (a, [rd, rs]) => a.inst('fsgnjx.d', rd, rs, rs),
  unimp: (a) => a.unimp(),
  'sfence.vma': (a, [rs1 = 'zero', rs2 = 'zero']) => a.sfenceVma(rs1, rs2),
  'hfence.vvma': (a, [rs1 = 'zero', rs2 = 'zero']) => a.hfenceVvma(rs1, rs2),
  'hfence.gvma': (a, [rs1 = 'zero', rs2 = 'zero']) => a.hfenceGvma(rs1, rs2),
};

const csr = (c: string) => (isImmediate(c) ? small(c) : c);

const DIRECTIVES: Record<string, Handler> = {
  '.byte': (a, ops) => a.byte(...ops.map(small)),
  '.half': (a, ops) => a.half(...ops.map(small)),
  '.short': (a, ops) => a.half(...ops.map(small)),
  '.2byte': (a, ops) => a.half(...ops.map(small)),
  '.word': (a, ops) => a.word(...ops.map((o) => (isImmediate(o) ? int(o) : o))),
  '.long': (a, ops) => a.word(...ops.map((o) => (isImmediate(o) ? int(o) : o))),
  '.4byte': (a, ops) => a.word(...ops.map((o) => (isImmediate(o) ? int(o) : o))),
  '.dword': (a, ops) => a.dword(...ops.map((o) => (isImmediate(o) ? int(o) : o))),
  '.quad': (a, ops) => a.dword(...ops.map((o) => (isImmediate(o) ? int(o) : o))),
  '.8byte': (a, ops) => a.dword(...ops.map((o) => (isImmediate(o) ? int(o) : o))),
  '.ascii': (a, ops) => a.string(unquote(ops.join(','))),
  '.asciz': (a, ops) => a.asciz(unquote(ops.join(','))),
  '.string': (a, ops) => a.asciz(unquote(ops.join(','))),
  // RISC-V gas: .align n aligns to 2**n bytes, like .p2align
  '.align': (a, [n]) => a.align(2 ** small(n)),
  '.p2align': (a, [n]) => a.align(2 ** small(n)),
  '.balign': (a, [n]) => a.align(small(n)),
  '.space': (a, [n]) => a.space(small(n)),
  '.zero': (a, [n]) => a.space(small(n)),
  '.text': () => undefined,
  '.globl': () => undefined,
  '.global': () => undefined,
  '.option': () => undefined,
};

function unquote(s: string): string {
  const m = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(s);
  if (!m) throw new AsmError(`expected a quoted string, got ${s}`);
  return m[1].replace(/\\(x[0-9a-f]{2}|[0-7]{1,3}|.)/gi, (_, e: string) => {
    if (e[0] === 'x' || e[0] === 'X') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return { n: '\n', r: '\r', t: '\t', '0': '\0' }[e] ?? e;
  });
}

/** Splits operands at top-level commas, keeping `8(sp)` and strings whole. */
function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')') depth--;
    if (!quoted && depth === 0 && c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"' && line[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && (line[i] === '#' || (line[i] === '/' && line[i + 1] === '/'))) return line.slice(0, i);
  }
  return line;
}

/** Expands `off(base)` memory operands into `off, base` (or just `base` for `(base)` forms). */
function operandsFor(layout: string, ops: string[]): Operand[] {
  const out: Operand[] = [];
  for (const o of ops) {
    const mem = /^(.*)\((.+)\)$/.exec(o);
    if (!mem) {
      out.push(o);
      continue;
    }
    const off = mem[1].trim();
    if (layout.includes('0(')) out.push(mem[2].trim());
    else out.push(off === '' ? '0' : off, mem[2].trim());
  }
  return out;
}

/** Appends the assembly `text` to `a`; errors name the line. Returns `a`. */
export function asm(a: Assembler, text: string): Assembler {
  text.split('\n').forEach((raw, index) => {
    let line = stripComment(raw).trim();
    try {
      for (let m = /^([A-Za-z_.$][\w.$]*):/.exec(line); m; m = /^([A-Za-z_.$][\w.$]*):/.exec(line)) {
        a.label(m[1]);
        line = line.slice(m[0].length).trim();
      }
      if (line === '') return;
      const sp = line.search(/\s/);
      const name = (sp < 0 ? line : line.slice(0, sp)).toLowerCase();
      const ops = sp < 0 ? [] : splitOperands(line.slice(sp + 1));
      assembleLine(a, name, ops);
    } catch (e) {
      if (e instanceof Error) throw new AsmError(`line ${index + 1} "${raw.trim()}": ${e.message}`);
      throw e;
    }
  });
  return a;
}

function assembleLine(a: Assembler, name: string, ops: string[]): void {
  const directive = DIRECTIVES[name];
  if (directive) return void directive(a, ops);
  if (name === 'jal' && ops.length === 1) return void a.jal(target(ops[0]));
  if ((name === 'jalr' || name === 'jr') && ops.length === 1) {
    // jalr rs / jalr off(rs) link through ra; jr does not link
    const mem = /^(.*)\((.+)\)$/.exec(ops[0]);
    const rd = name === 'jalr' ? 'ra' : 'zero';
    return void (mem ? a.jalr(rd, mem[2].trim(), mem[1].trim() === '' ? 0 : small(mem[1].trim())) : a.jalr(rd, ops[0], 0));
  }
  if (name === 'jalr' && ops.length === 2 && !ops[1].includes('(')) return void a.jalr(ops[0], ops[1], 0);
  if ((name === 'fence' && ops.length === 0) || PSEUDO[name] === undefined) {
    const immediate = IMMEDIATE_FORM[name];
    const mnemonic = immediate && ops.length === 3 && isImmediate(ops[2]) ? immediate : name;
    const found = opByMnemonic(mnemonic);
    if (!found) throw new AsmError(`unknown instruction or directive "${name}"`);
    const operands = operandsFor(found.layout, ops);
    if (/[pa]/.test(found.layout)) operands[operands.length - 1] = target(String(operands[operands.length - 1]));
    return void a.inst(mnemonic, ...operands);
  }
  PSEUDO[name](a, ops);
}
