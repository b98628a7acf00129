// The list of commands. One module per command; add yours here.

import type { Command } from '../command.js';
import { craft } from './craft.js';
import { read } from './read.js';
import { serve } from './serve.js';
import { sniff } from './sniff.js';

export const commands: Command[] = [serve, read, sniff, craft];
