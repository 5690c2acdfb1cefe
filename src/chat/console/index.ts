/** The terminal console: a chat platform whose channel is the terminal (npm start with no Slack or Discord). */
export { ConsoleMessenger } from "./messenger.ts";
export {
  CONSOLE_CHANNEL,
  CONSOLE_USER,
  CONSOLE_WORKSPACE,
  type ConsoleOptions,
  consoleActor,
  runConsole,
} from "./session.ts";
