import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

/**
 * Writes a model folder with the architecture of all-MiniLM-L6-v2 (BERT: 6 layers, hidden 384,
 * 12 heads, feed-forward 1536, 30522 words) and seeded random weights. The real weights cannot
 * be downloaded here, but a model's speed depends on its shape, not its values: this is the
 * compute cost of Keel's default model, so ingestion can be measured against it. Its vectors
 * mean nothing (random weights), so it is for throughput only.
 */

// The subset of onnx.proto (field numbers as upstream) that this graph needs.
const PROTO = `syntax = "proto3"; package onnx;
message AttributeProto { string name = 1; float f = 2; int64 i = 3; repeated int64 ints = 8; int32 type = 20; }
message TensorShapeProto { message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } } repeated Dimension dim = 1; }
message TypeProto { message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; } oneof value { Tensor tensor_type = 1; } }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }`;

const VOCAB = 30522;
const HIDDEN = 384;
const HEADS = 12;
const FF = 1536;
const LAYERS = 6;
const FLOAT = 1;
const INT64 = 7;

type Attr = { name: string; f?: number; i?: number; ints?: number[]; type: number };
type Node = { op_type: string; input: string[]; output: string[]; name: string; attribute?: Attr[] };
type Tensor = { name: string; dims: number[]; data_type: number; raw_data: Buffer };

class Graph {
  nodes: Node[] = [];
  inits: Tensor[] = [];
  private n = 0;
  private seed = 7;

  /** Adds an operator and returns its (first) output's name. */
  op(op_type: string, input: string[], attribute?: Attr[]): string {
    const out = `t${this.n++}`;
    this.nodes.push({ op_type, input, output: [out], name: out, attribute });
    return out;
  }

  weights(dims: number[], scale = 0.05): string {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      this.seed = (Math.imul(this.seed, 1103515245) + 12345) & 0x7fffffff;
      data[i] = (this.seed / 0x7fffffff - 0.5) * 2 * scale;
    }
    return this.init(dims, FLOAT, Buffer.from(data.buffer));
  }

  constant(values: number[], dims: number[] = [values.length], type = INT64): string {
    const raw = type === INT64 ? Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer) : Buffer.from(Float32Array.from(values).buffer);
    return this.init(dims, type, raw);
  }

  private init(dims: number[], data_type: number, raw_data: Buffer): string {
    const name = `w${this.inits.length}`;
    this.inits.push({ name, dims, data_type, raw_data });
    return name;
  }
}

const ints = (name: string, v: number[]): Attr => ({ name, ints: v, type: 7 });
const int = (name: string, v: number): Attr => ({ name, i: v, type: 2 });

function layerNorm(g: Graph, x: string): string {
  return g.op('LayerNormalization', [x, g.constant(new Array(HIDDEN).fill(1), [HIDDEN], FLOAT), g.constant(new Array(HIDDEN).fill(0), [HIDDEN], FLOAT)], [
    int('axis', -1),
    { name: 'epsilon', f: 1e-12, type: 1 },
  ]);
}

function dense(g: Graph, x: string, inDim: number, outDim: number): string {
  return g.op('Add', [g.op('MatMul', [x, g.weights([inDim, outDim])]), g.weights([outDim], 0.01)]);
}

/** [b, s, H] → [b, heads, s, H/heads] (or with the last two swapped, for keys). */
function heads(g: Graph, x: string, perm: number[]): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.constant([0, 0, HEADS, HIDDEN / HEADS])])], [ints('perm', perm)]);
}

function encoderLayer(g: Graph, x: string, maskBias: string): string {
  const q = heads(g, dense(g, x, HIDDEN, HIDDEN), [0, 2, 1, 3]);
  const k = heads(g, dense(g, x, HIDDEN, HIDDEN), [0, 2, 3, 1]);
  const v = heads(g, dense(g, x, HIDDEN, HIDDEN), [0, 2, 1, 3]);
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k]), g.constant([1 / Math.sqrt(HIDDEN / HEADS)], [], FLOAT)]), maskBias]);
  const context = g.op('MatMul', [g.op('Softmax', [scores], [int('axis', -1)]), v]);
  const merged = g.op('Reshape', [g.op('Transpose', [context], [ints('perm', [0, 2, 1, 3])]), g.constant([0, 0, HIDDEN])]);
  const attended = layerNorm(g, g.op('Add', [x, dense(g, merged, HIDDEN, HIDDEN)]));
  const up = dense(g, attended, HIDDEN, FF);
  // GELU as BERT computes it: x · ½ · (1 + erf(x / √2)).
  const gelu = g.op('Mul', [g.op('Mul', [up, g.constant([0.5], [], FLOAT)]), g.op('Add', [g.op('Erf', [g.op('Div', [up, g.constant([Math.SQRT2], [], FLOAT)])]), g.constant([1], [], FLOAT)])]);
  return layerNorm(g, g.op('Add', [attended, dense(g, gelu, FF, HIDDEN)]));
}

function buildGraph(): Graph {
  const g = new Graph();
  const words = g.op('Gather', [g.weights([VOCAB, HIDDEN]), 'input_ids'], [int('axis', 0)]);
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.constant([1], [])], [int('axis', 0)]);
  const positions = g.op('Gather', [g.weights([512, HIDDEN]), g.op('Range', [g.constant([0], []), seqLen, g.constant([1], [])])], [int('axis', 0)]);
  const types = g.op('Gather', [g.weights([2, HIDDEN]), 'token_type_ids'], [int('axis', 0)]);
  let x = layerNorm(g, g.op('Add', [g.op('Add', [words, positions]), types]));
  // Padding gets -10000 before the softmax: [b, s] → [b, 1, 1, s].
  const mask = g.op('Cast', ['attention_mask'], [int('to', FLOAT)]);
  const bias = g.op('Mul', [g.op('Sub', [g.constant([1], [], FLOAT), mask]), g.constant([-10000], [], FLOAT)]);
  const maskBias = g.op('Unsqueeze', [bias, g.constant([1, 2])]);
  for (let l = 0; l < LAYERS; l++) x = encoderLayer(g, x, maskBias);
  g.nodes.push({ op_type: 'Identity', input: [x], output: ['last_hidden_state'], name: 'out' });
  return g;
}

/** Writes the model folder `<modelsDir>/<modelId>` (tokenizer and config from the real model). */
export function writeMiniLmShapedModel(modelsDir: string, modelId: string, tokenizerDir: string): void {
  const root = protobuf.parse(PROTO, { keepCase: true }).root;
  const Model = root.lookupType('onnx.ModelProto');
  const g = buildGraph();
  const dyn = (n: string) => ({ dim_param: n });
  const io = (name: string, elem_type: number, dim: object[]) => ({ name, type: { tensor_type: { elem_type, shape: { dim } } } });
  const model = {
    ir_version: 8,
    producer_name: 'keel-bench',
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'minilm-shaped',
      node: g.nodes,
      initializer: g.inits,
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => io(n, INT64, [dyn('b'), dyn('s')])),
      output: [io('last_hidden_state', FLOAT, [dyn('b'), dyn('s'), { dim_value: HIDDEN }])],
    },
  };
  const err = Model.verify(model);
  if (err) throw new Error(`minilm-shaped model: ${err}`);
  const dir = join(modelsDir, modelId);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'onnx', 'model.onnx'), Model.encode(Model.fromObject(model)).finish());
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) copyFileSync(join(tokenizerDir, f), join(dir, f));
}
