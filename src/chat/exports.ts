// The course's programs as a library: servers, clients, bots.

export { BOT_NAMES, type BotName, botFactory } from './bots.js';
export { MessageChannel } from './channel.js';
export { ChatClient, connectTcp, fetchDaytime } from './client.js';
export { COURSE_DAYTIME_PORT, daytimeMessage, serveCourseDaytime } from './daytime.js';
export { changePerson, Doctor, seededRandom } from './doctor.js';
export { createEliza, ElizaConversation, loadScript, parseScript } from './eliza/index.js';
export { localHostInfo, resolveHost } from './hostinfo.js';
export type { Personality, PersonalityFactory } from './personality.js';
export { CHAT_PORT, type Operator, serveChat, THERAPY_PORT } from './server.js';
