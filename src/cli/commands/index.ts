// The list of commands. One module per command; add yours here.

import type { Command } from '../command.js';
import { chat, chatServer, daytime, daytimeServer, therapyServer } from './course.js';
import { eliza } from './eliza.js';
import { hostinfo } from './hostinfo.js';
import { serve } from './serve.js';

export const commands: Command[] = [
  serve,
  daytimeServer,
  daytime,
  chatServer,
  therapyServer,
  chat,
  eliza,
  hostinfo,
];
