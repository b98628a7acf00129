// The pcap area: formats, push parser, streaming readers and writers.

export * from './format.js';
export * from './parser.js';
export * from './reader.js';
export * from './time.js';
export * from './writer.js';
