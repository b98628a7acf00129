// The course's own servers, as `netkit serve` starts them.

import type { CatalogEntry } from '../core/service.js';
import { botFactory } from './bots.js';
import { COURSE_DAYTIME_PORT, serveCourseDaytime } from './daytime.js';
import { CHAT_PORT, serveChat, THERAPY_PORT } from './server.js';

const hp = (h: string) => (h.includes(':') ? `[${h}]` : h);

export const courseCatalog: CatalogEntry[] = [
  {
    name: 'course-daytime',
    protocol: 'tcp',
    defaultPort: COURSE_DAYTIME_PORT,
    description: "the slides' day/time server: ctime + Have a nice day!",
    start: (o) => serveCourseDaytime(o),
    tryCommand: (h, p) => `netkit daytime ${hp(h)} -p ${p}`,
  },
  {
    name: 'eliza',
    protocol: 'tcp',
    defaultPort: CHAT_PORT,
    description: "chat server answered by Weizenbaum's 1966 ELIZA (DOCTOR script), one per client",
    start: (o) => serveChat({ ...o, bot: botFactory('eliza')!, name: 'eliza-server' }),
    tryCommand: (h, p) => `netkit chat ${hp(h)} -p ${p}`,
  },
  {
    name: 'therapy',
    protocol: 'tcp',
    defaultPort: THERAPY_PORT,
    description: 'therapy server: the textbook Doctor, one per client',
    start: (o) => serveChat({ ...o, bot: botFactory('doctor')!, name: 'therapy-server' }),
    tryCommand: (h, p) => `netkit chat ${hp(h)} -p ${p}`,
  },
];
