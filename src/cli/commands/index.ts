// The list of commands. One module per command; add yours here.

import type { Command } from '../command.js';
import { rpcDemo } from './rpc-demo.js';
import { rpcgen } from './rpcgen.js';
import { serve } from './serve.js';

export const commands: Command[] = [serve, rpcgen, rpcDemo];
