import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lastChunk, lastChunkBcd, memoryFormFor, slipHash } from '../../../src/chat/eliza/hash.js';

// Vectors: the shared doc (eliza-1966.md §3.5), CACM p.38 (ALWAYS → 14), and the values the SLIP
// FAP listing gives as checked by anthay/ELIZA's hash_test and last_chunk_as_bcd_test.
describe('SLIP HASH', () => {
  it('encodes the last 6-character chunk in 7090 BCD, space-padded', () => {
    assert.equal(lastChunkBcd(''), 0o606060606060);
    assert.equal(lastChunkBcd('X'), 0o676060606060);
    assert.equal(lastChunkBcd('HERE'), 0o302551256060);
    assert.equal(lastChunkBcd('ALWAYS'), 0o214366217062);
    assert.equal(lastChunkBcd('INVENTED'), 0o252460606060); // chunk ED
    assert.equal(lastChunkBcd('123456ABCDEF'), 0o212223242526); // chunk ABCDEF
    assert.equal(lastChunkBcd('EVERYBODY'), lastChunkBcd('ODY'));
    assert.deepEqual(['EVERYBODY', 'INVENTED', 'ABCDEF', 'ABCDEFG', ''].map(lastChunk), [
      'ODY',
      'ED',
      'ABCDEF',
      'G',
      '',
    ]);
  });

  it('uses the low 6 bits of each UTF-8 byte outside the BCD set', () => {
    assert.equal(lastChunkBcd('Ç'), 0o030760606060); // C3 87
  });

  it('gives the values in the 1966 paper and the FAP listing', () => {
    assert.equal(slipHash(0o214366217062, 7), 14); // ALWAYS, CACM p.38
    assert.equal(slipHash(0o302551256060, 2), 3); // HERE
    assert.equal(slipHash(0o423124626060, 2), 1); // KIDS
    assert.equal(slipHash(0o633144256060, 2), 0); // TIME
    assert.equal(slipHash(0o777777777777, 7), 0x70);
    assert.equal(slipHash(0o777777777777, 15), 0x7f00);
    assert.equal(slipHash(0x555555555, 15), 0x46e3);
    assert.equal(slipHash(0xf0f0f0f0f, 15), 0x7788);
    assert.equal(slipHash(0o214366217062, 15), 0x70ee);
    assert.equal(slipHash(0o633144256060, 15), 0x252e);
    assert.equal(slipHash(0, 7), 0);
  });

  it('picks the memory forms of the transcript and of longer words', () => {
    assert.equal(memoryFormFor('HERE'), 3);
    assert.equal(memoryFormFor('KIDS'), 1);
    assert.equal(memoryFormFor('TIME'), 0);
    assert.equal(memoryFormFor('MOTHER'), 3);
    assert.equal(memoryFormFor('YOU'), 2);
    assert.equal(memoryFormFor('FATHER'), 2);
    assert.equal(memoryFormFor('EVERYBODY'), 1);
    assert.equal(memoryFormFor('PURPOSE'), 1);
    assert.equal(memoryFormFor('DEVONSHIRE'), 0);
    assert.equal(memoryFormFor('PREDICAMENT'), 3);
    assert.equal(memoryFormFor('EXECUTIONERS'), 3);
    assert.equal(memoryFormFor('GLOUCESTERSHIRE'), 2);
  });

  it('refuses a bit count outside 0..15', () => {
    assert.throws(() => slipHash(1, 16), RangeError);
  });

  it('agrees with the FAP definition computed in BigInt for any 36-bit datum and bit count', () => {
    // The definition (shared doc §3.5): clear bit 35, square, shift right by 35 − ⌊n/2⌋, keep n bits.
    const reference = (d: bigint, n: number) => {
      const m = d & 0x7ffffffffn;
      return Number(((m * m) >> BigInt(35 - Math.floor(n / 2))) & ((1n << BigInt(n)) - 1n));
    };
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 36n) - 1n }), fc.integer({ min: 0, max: 15 }), (d, n) => {
        assert.equal(slipHash(Number(d), n), reference(d, n));
      }),
      { numRuns: 2000 },
    );
    for (const d of [0n, 1n, (1n << 35n) - 1n, 1n << 35n, (1n << 36n) - 1n, 0o606060606060n]) {
      for (let n = 0; n <= 15; n++) assert.equal(slipHash(Number(d), n), reference(d, n), `${d} ${n}`);
    }
  });
});
