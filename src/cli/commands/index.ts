// The list of commands. One module per command; add yours here.

import type { Command } from '../command.js';
import { chargen } from './chargen.js';
import { chat, chatServer, daytime, daytimeServer, therapyServer } from './course.js';
import { craft } from './craft.js';
import { discard } from './discard.js';
import { echo } from './echo.js';
import { eliza } from './eliza.js';
import { finger } from './finger.js';
import { hostinfo } from './hostinfo.js';
import { portmap } from './portmap.js';
import { qotd } from './qotd.js';
import { read } from './read.js';
import { rpcDemo } from './rpc-demo.js';
import { rpcgen } from './rpcgen.js';
import { rpcinfo } from './rpcinfo.js';
import { serve } from './serve.js';
import { sniff } from './sniff.js';
import { time } from './time.js';
import { users } from './users.js';

export const commands: Command[] = [
  serve,
  daytimeServer,
  daytime,
  chatServer,
  therapyServer,
  chat,
  eliza,
  hostinfo,
  echo,
  discard,
  chargen,
  qotd,
  users,
  time,
  finger,
  read,
  sniff,
  craft,
  portmap,
  rpcinfo,
  rpcgen,
  rpcDemo,
];
