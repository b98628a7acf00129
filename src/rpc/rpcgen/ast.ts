// The syntax tree of an RPC language file (RFC 4506 §6.3, RFC 5531 §12.2), as the parser builds it.

import type { Pos } from './lexer.js';

/** A constant or a name of one (`value` in the grammar). */
export type Value =
  | { kind: 'number'; value: bigint; pos: Pos }
  /** `offset` is set for enum members without `= value` (rpcgen dialect: previous member + 1). */
  | { kind: 'name'; name: string; pos: Pos; offset?: bigint };

/** Built-in scalar types after the rpcgen dialect's aliases are mapped (`u_long` → `unsigned`, …). */
export type Primitive = 'int' | 'unsigned' | 'hyper' | 'uhyper' | 'float' | 'double' | 'quadruple' | 'bool';

export type TypeSpec =
  | { kind: 'prim'; prim: Primitive; pos: Pos }
  /** A defined type; `tag` is set for C-style `struct x`, `enum x`, `union x` references. */
  | { kind: 'named'; name: string; tag?: 'struct' | 'enum' | 'union'; pos: Pos }
  /** `string` used bare, as a procedure argument or result (rpcgen dialect): string<>. */
  | { kind: 'string'; pos: Pos }
  /** `opaque` used bare (only valid inside a declaration with [n] or <n>). */
  | { kind: 'opaque'; pos: Pos };

export type Shape =
  | { kind: 'plain' }
  | { kind: 'fixed'; size: Value }
  | { kind: 'variable'; max?: Value }
  | { kind: 'optional' };

export interface Declaration {
  name: string;
  pos: Pos;
  type: TypeSpec;
  shape: Shape;
}

/** A `void` arm or procedure slot. */
export type MaybeVoid = Declaration | { kind: 'void'; pos: Pos };

export interface EnumMember {
  name: string;
  value: Value;
  pos: Pos;
}

export interface UnionCase {
  values: Value[];
  arm: MaybeVoid;
}

export interface ProcedureDef {
  name: string;
  pos: Pos;
  result: TypeSpec | 'void';
  args: TypeSpec[];
  number: Value;
}

export interface VersionDef {
  name: string;
  pos: Pos;
  procedures: ProcedureDef[];
  number: Value;
}

export type Definition =
  | { kind: 'const'; name: string; pos: Pos; value: Value | { kind: 'string'; text: string; pos: Pos } }
  | { kind: 'typedef'; name: string; pos: Pos; decl: Declaration }
  | { kind: 'enum'; name: string; pos: Pos; members: EnumMember[] }
  | { kind: 'struct'; name: string; pos: Pos; members: Declaration[] }
  | {
      kind: 'union';
      name: string;
      pos: Pos;
      discriminant: Declaration;
      cases: UnionCase[];
      defaultArm?: MaybeVoid;
    }
  | { kind: 'program'; name: string; pos: Pos; versions: VersionDef[]; number: Value };

export function isVoid(d: MaybeVoid): d is { kind: 'void'; pos: Pos } {
  return (d as { kind?: string }).kind === 'void';
}
