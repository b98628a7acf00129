// Invalid .x files: every kind of error names the file, line and column (1-based) where it is.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SyntaxError_ } from '../../../src/core/errors.js';
import { analyze, type CompileOptions } from '../../../src/rpc/rpcgen/index.js';

const files: Record<string, string> = {};
const opts: CompileOptions = {
  readFile: (p) => files[p],
  resolve: (dir, name) => (dir ? `${dir}/${name}` : name),
  dirname: (p) => p.split('/').slice(0, -1).join('/'),
  includeDirs: ['inc'],
};

function errorOf(text: string, file = 'bad.x'): SyntaxError_ {
  try {
    analyze(file, text, opts);
  } catch (e) {
    assert.ok(e instanceof SyntaxError_, `expected SyntaxError_, got ${String(e)}`);
    return e;
  }
  assert.fail('no error');
}

function expectError(text: string, line: number, column: number, pattern: RegExp, file = 'bad.x') {
  const e = errorOf(text, file);
  assert.equal(e.code, 'NETKIT_ERR_SYNTAX');
  assert.match(e.message, pattern);
  assert.deepEqual([e.file, e.line, e.column], [file, line, column], e.message);
}

describe('rpcgen errors carry file, line and column', () => {
  test('a duplicate type name points at the second definition', () => {
    expectError(
      'struct a { int x; };\ntypedef int b;\n  struct a { int y; };\n',
      3,
      10,
      /'a' is already defined as a struct type at bad.x:1:8/,
    );
  });
  test('a constant reusing an enum member name is a duplicate', () => {
    expectError(
      'enum e { RED = 1 };\nconst RED = 2;\n',
      2,
      7,
      /'RED' is already defined as a member of enum 'e'/,
    );
  });
  test('an undefined type is reported where it is used', () => {
    expectError('struct a {\n  int x;\n  missing_t y;\n};\n', 3, 3, /undefined type 'missing_t'/);
  });
  test('an undefined constant in an array size is reported', () => {
    expectError('typedef int a<MAXA>;\n', 1, 15, /undefined constant 'MAXA'/);
  });
  test('duplicate procedure numbers in one version are an error', () => {
    const x =
      'program P {\n version V {\n  void A(void) = 1;\n  void B(void) = 1;\n } = 1;\n} = 0x20000001;\n';
    expectError(x, 4, 18, /procedure number 1 appears twice in version 'V' \(first at bad.x:3:18\)/);
  });
  test('duplicate procedure names in one version are an error', () => {
    const x = 'program P {\n version V {\n  void A(void) = 1;\n  int A(int) = 2;\n } = 1;\n} = 0x20000001;\n';
    expectError(x, 4, 7, /procedure 'A' appears twice in version 'V'/);
  });
  test('a procedure name reused in another version with another number is an error', () => {
    const x =
      'program P {\n version V1 { void A(void) = 1; } = 1;\n version V2 { void A(void) = 2; } = 2;\n} = 0x20000001;\n';
    expectError(x, 3, 20, /procedure 'A' is 2 here but 1 in another version/);
  });
  test('duplicate version numbers in one program are an error', () => {
    const x =
      'program P {\n version V1 { void A(void) = 1; } = 1;\n version V2 { void B(void) = 1; } = 1;\n} = 0x20000001;\n';
    expectError(x, 3, 37, /version number 1 appears twice in program 'P'/);
  });
  test('duplicate program numbers are an error', () => {
    const x =
      'program P { version V { void A(void) = 1; } = 1; } = 100;\nprogram Q { version W { void B(void) = 1; } = 1; } = 100;\n';
    expectError(x, 2, 54, /program number 100 is already used at bad.x:1:54/);
  });
  test('a negative program number is a bad constant', () => {
    expectError('program P { version V { void A(void) = 1; } = 1; } = -5;\n', 1, 54, /unsigned 32-bit/);
  });
  test('a negative hex constant is rejected', () => {
    expectError('const A = -0x10;\n', 1, 12, /only decimal constants may be negative/);
  });
  test('a malformed number is rejected', () => {
    expectError('const A = 09;\n', 1, 11, /bad constant '09'/);
  });
  test('a constant wider than 64 bits is rejected', () => {
    expectError('const A = 0x1ffffffffffffffff;\n', 1, 11, /does not fit in 64 bits/);
  });
  test('an enum value wider than 32 bits is rejected', () => {
    expectError('enum e {\n  A = 0x100000000\n};\n', 2, 7, /must fit in 32 bits/);
  });
  test('a negative array size is rejected', () => {
    expectError('const N = -1;\ntypedef int a[N];\n', 2, 15, /unsigned 32-bit/);
  });
  test('a union on a string discriminant is rejected', () => {
    expectError(
      'union u switch (string s<>) { case 1: int a; };\n',
      1,
      24,
      /discriminant must be int, unsigned int, an enum or bool/,
    );
  });
  test('a duplicate case label is rejected', () => {
    expectError(
      'union u switch (int d) {\n case 1: int a;\n case 2:\n case 1: void;\n};\n',
      4,
      7,
      /case value 1 appears twice/,
    );
  });
  test('a case label outside the discriminant enum is rejected', () => {
    expectError(
      'enum e { A = 1, B = 2 };\nunion u switch (e d) { case 3: void; };\n',
      2,
      29,
      /case 3 is not a value of the discriminant's type/,
    );
  });
  test('a struct that contains itself is rejected', () => {
    expectError('struct s {\n  int x;\n  s inner;\n};\n', 3, 5, /type 's' contains itself/);
  });
  test('a keyword used as a name is rejected', () => {
    expectError('struct a {\n  int string;\n};\n', 2, 7, /'string' is a keyword/);
  });
  test('a missing semicolon is reported at the next token', () => {
    expectError('const A = 1\nconst B = 2;\n', 2, 1, /expected ';' after constant 'A', found 'const'/);
  });
  test('an unterminated comment is reported where it starts', () => {
    expectError('const A = 1;\n  /* never closed\n', 2, 3, /unterminated comment/);
  });
  test("'//' comments are rejected like rpcgen does", () => {
    expectError('const A = 1; // no\n', 1, 14, /'\/\/' comments are not part of the RPC language/);
  });
  test('an unexpected character is reported', () => {
    expectError('const A = 1;\nconst B @ 2;\n', 2, 9, /unexpected character '@'/);
  });
  test('opaque without a size is rejected', () => {
    expectError('struct a { opaque data; };\n', 1, 19, /opaque 'data' needs a size/);
  });
  test('a missing #endif is reported at its #ifdef', () => {
    expectError('const A = 1;\n#ifdef X\nconst B = 2;\n', 2, 1, /missing #endif/);
  });
  test('an #include cycle is reported with the chain', () => {
    files['inc/a.x'] = '#include "b.x"\n';
    files['inc/b.x'] = 'const B = 1;\n#include "a.x"\n';
    const e = errorOf('#include "a.x"\n', 'top.x');
    assert.match(e.message, /#include cycle: top.x -> inc\/a.x -> inc\/b.x -> inc\/a.x/);
    assert.deepEqual([e.file, e.line, e.column], ['inc/b.x', 2, 1]);
  });
  test('errors inside an included file name that file', () => {
    files['inc/c.x'] = 'const C = 1;\nstruct broken {\n};\n';
    const e = errorOf('#include <c.x>\n', 'top.x');
    assert.deepEqual([e.file, e.line, e.column], ['inc/c.x', 3, 1]);
  });
  test('a missing #include file is reported', () => {
    expectError('\n#include "nope.x"\n', 2, 1, /'nope.x' not found/);
  });
  test('a string constant used as a size is reported', () => {
    expectError('const NAME = "abc";\ntypedef opaque key[NAME];\n', 2, 20, /'NAME' is a string constant/);
  });
  test('a type name used as a constant is reported', () => {
    expectError('struct s { int x; };\ntypedef int a<s>;\n', 2, 15, /'s' is a struct type .*not a constant/);
  });
  test('a constant name used as a type is reported', () => {
    expectError('const N = 3;\nstruct s { N x; };\n', 2, 12, /'N' is a constant, not a type/);
  });
  test('a constant defined in terms of itself is reported', () => {
    expectError('const A = B;\nconst B = A;\n', 2, 11, /defined in terms of itself/);
  });
});

describe('the preprocessor and the dialect', () => {
  test('#define values replace identifiers, and #ifdef/#ifndef/#else pick branches', () => {
    const m = analyze(
      'p.x',
      '#define SIZE 16\n#ifdef SIZE\nconst A = SIZE;\n#else\nconst A = 1;\n#endif\n#ifndef SIZE\nconst B = 2;\n#endif\n',
      opts,
    );
    assert.deepEqual(m.constants.get('A'), { kind: 'number', value: 16n });
    assert.equal(m.constants.has('B'), false);
  });
  test('-D defines reach #if and RPC_HDR is defined by default', () => {
    const text =
      '#if defined(FOO) && RPC_HDR\nconst A = FOO;\n#elif 0\nconst A = 2;\n#else\nconst A = 3;\n#endif\n';
    assert.deepEqual(analyze('p.x', text, { ...opts, defines: { FOO: '7' } }).constants.get('A'), {
      kind: 'number',
      value: 7n,
    });
    assert.deepEqual(analyze('p.x', text, opts).constants.get('A'), { kind: 'number', value: 3n });
  });
  test('% lines are skipped, and %#define integer macros become constants', () => {
    const m = analyze(
      'p.x',
      '%#define MAXN 10\n%#define MAXN1 MAXN+1\n%int c_code;\ntypedef string s<MAXN1>;\n',
      opts,
    );
    assert.deepEqual(m.constants.get('MAXN1'), { kind: 'number', value: 11n });
  });
  test('rpcgen aliases map to XDR types and enum members may omit values', () => {
    const m = analyze(
      'p.x',
      'struct a { u_long x; long y; unsigned z; u_char c; bool_t b; uint64_t h; long long l; unsigned long long u; };\n' +
        'enum e { A, B, C = 5, D };\n',
      opts,
    );
    const e = m.types.get('e');
    assert.ok(e?.kind === 'enum');
    assert.deepEqual(
      e.members.map((x) => m.valueOf(x.value)),
      [0n, 1n, 5n, 6n],
    );
    const a = m.types.get('a');
    assert.ok(a?.kind === 'struct');
    assert.deepEqual(
      a.members.map((x) => (x.type.kind === 'prim' ? x.type.prim : '?')),
      ['unsigned', 'int', 'unsigned', 'unsigned', 'bool', 'uhyper', 'hyper', 'uhyper'],
    );
  });
  test('octal, hex and negative decimal constants are read as C reads them', () => {
    const m = analyze(
      'p.x',
      'const A = 0755;\nconst B = 0x1F;\nconst C = -12;\nconst D = 0xffffffffffffffff;\n',
      opts,
    );
    assert.deepEqual(
      ['A', 'B', 'C', 'D'].map((n) => m.constants.get(n)),
      [
        { kind: 'number', value: 493n },
        { kind: 'number', value: 31n },
        { kind: 'number', value: -12n },
        { kind: 'number', value: 0xffffffffffffffffn },
      ],
    );
  });
});
