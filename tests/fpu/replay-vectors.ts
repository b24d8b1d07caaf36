// Replays golden vectors through an Fpu with the oracle's register convention (op-table.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fpu } from '../../src/cpu/fpu/fpu.ts';
import { ORACLE_OPS, type OracleOp, readsIntSource, REG, RM_NAMES, writesFpResult } from './oracle/op-table.ts';
import { decodeVectors, expand, type GroupVectors, type OpVectors, type VectorFile } from './vector-file.ts';

export const VECTORS_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vectors', 'fpu-vectors.bin.gz');

export function loadVectors(file = VECTORS_PATH): VectorFile {
  return decodeVectors(readFileSync(file));
}

export interface OpCase {
  oracle: OracleOp;
  group: GroupVectors;
  vectors: OpVectors;
}

/** Pairs each op in the file with its op-table entry; unknown names are an error. */
export function opCases(file: VectorFile): OpCase[] {
  return file.groups.flatMap((group) =>
    group.ops.map((vectors) => {
      const oracle = ORACLE_OPS.find((o) => o.name === vectors.name);
      if (!oracle) throw new Error(`vector file names op ${vectors.name}, which tests/fpu/oracle/op-table.ts does not define`);
      return { oracle, group, vectors };
    }),
  );
}

export interface Mismatch {
  text: string;
}

const hex = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');

function setReg64(words: Int32Array, r: number, v: bigint): void {
  words[2 * r] = Number(v & 0xffffffffn) | 0;
  words[2 * r + 1] = Number(v >> 32n) | 0;
}

function getReg64(words: Int32Array, r: number): bigint {
  return (BigInt(words[2 * r + 1] >>> 0) << 32n) | BigInt(words[2 * r] >>> 0);
}

/** Runs every vector of one op in every rounding mode; returns the count and the mismatches. */
export function replayOp(c: OpCase, maxReport = 20): { total: number; failed: number; mismatches: Mismatch[] } {
  const x = new Int32Array(66);
  const fpu = new Fpu(x);
  const { oracle, group, vectors } = c;
  const intSrc = readsIntSource(oracle);
  const fpDst = writesFpResult(oracle);
  const rd = fpDst ? REG.fd : REG.xd;
  const rs1 = intSrc ? REG.xa : REG.fa;
  const rs2 = oracle.sameReg ? REG.fa : REG.fb;
  let total = 0;
  let failed = 0;
  const mismatches: Mismatch[] = [];
  vectors.perRm.forEach(({ results, flags }, rm) => {
    for (let i = 0; i < group.count; i++) {
      const ops = group.operands.map((col) => col[i]);
      if (intSrc) setReg64(x, REG.xa, ops[0]);
      else ops.forEach((v, k) => setReg64(fpu.f, k, v));
      setReg64(fpDst ? fpu.f : x, rd, 0x5a5a5a5a5a5a5a5an); // must be overwritten
      fpu.fflags = 0;
      fpu.exec(oracle.op, rd, rs1, rs2, REG.fc, rm);
      const got = getReg64(fpDst ? fpu.f : x, rd);
      const want = expand(vectors.resultBytes, oracle.kind, results[i]);
      total++;
      if (got !== want || fpu.fflags !== flags[i]) {
        failed++;
        if (mismatches.length < maxReport) {
          mismatches.push({
            text: `${oracle.name} ${oracle.usesRm ? RM_NAMES[rm] : ''} (${ops.map(hex).join(', ')}): ` +
              `want ${hex(want)} flags 0x${flags[i].toString(16)}, got ${hex(got)} flags 0x${fpu.fflags.toString(16)}`,
          });
        }
      }
    }
  });
  return { total, failed, mismatches };
}
