/**
 * The kit's checkpoint format (`kit-checkpoint-1`): checkpoint.json (an index of named float32 arrays, their SHA-256
 * and the trainer's state) beside weights.bin (the arrays, end to end). This half reads the two files' contents,
 * wherever they came from — lib/tf/checkpoint.ts reads them from disk in Node, the browser playground fetches them —
 * and checks them; errors name `source` and what is wrong.
 */

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface CheckpointIndex {
  format: "kit-checkpoint-1";
  sha256: string;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
  state: unknown;
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The index (checkpoint.json's text), checked. */
export function parseCheckpointIndex(indexText: string, source: string): CheckpointIndex {
  let index: CheckpointIndex;
  try {
    index = JSON.parse(indexText);
  } catch (e) {
    throw new Error(`checkpoint ${source} is corrupt: checkpoint.json is not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  if (index?.format !== "kit-checkpoint-1" || !Array.isArray(index.tensors)) {
    throw new Error(`checkpoint ${source} is corrupt or of an unknown format (expected kit-checkpoint-1)`);
  }
  return index;
}

/**
 * The arrays and state of a checkpoint from its index and weight bytes. `sha256` is the hex digest of `bytes` as the
 * caller computed it (Node's crypto, the browser's SubtleCrypto), checked against the index's.
 */
export function checkpointArrays<S = unknown>(index: CheckpointIndex, bytes: Uint8Array, sha256: string, source: string): { tensors: Map<string, NamedArray>; state: S } {
  if (sha256 !== index.sha256) throw new Error(`checkpoint ${source} is corrupt: weights.bin does not match its recorded SHA-256`);
  const total = index.tensors.reduce((a, t) => a + t.length, 0);
  if (bytes.byteLength !== total * 4) throw new Error(`checkpoint ${source} is corrupt: weights.bin has ${bytes.byteLength} bytes, expected ${total * 4}`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const tensors = new Map<string, NamedArray>();
  for (const t of index.tensors) {
    if (sizeOf(t.shape) !== t.length) throw new Error(`checkpoint ${source} is corrupt: '${t.name}' has shape [${t.shape}] but ${t.length} values`);
    tensors.set(t.name, { name: t.name, shape: t.shape, values: all.slice(t.offset, t.offset + t.length) });
  }
  return { tensors, state: index.state as S };
}
