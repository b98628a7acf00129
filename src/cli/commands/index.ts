// The list of commands. One module per command; add yours here.

import type { Command } from '../command.js';
import { craft } from './craft.js';
import { serve } from './serve.js';

export const commands: Command[] = [serve, craft];
