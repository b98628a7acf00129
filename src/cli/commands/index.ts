// The list of commands. One module per command; add yours here.

import type { Command } from '../command.js';
import { portmap } from './portmap.js';
import { rpcDemo } from './rpc-demo.js';
import { rpcgen } from './rpcgen.js';
import { rpcinfo } from './rpcinfo.js';
import { serve } from './serve.js';

export const commands: Command[] = [serve, portmap, rpcinfo, rpcgen, rpcDemo];
