import { ACTION_NAMES, type Action, type ActionName, isActionName } from "./define.ts";
import { domainNsAction, domainRenewAction } from "./domains.ts";
import { powerOffAction, powerOnAction, rebootAction } from "./power.ts";
import { reinstallAction } from "./reinstall.ts";
import { autorenewAction, cancelAction, renewAction } from "./subscriptions.ts";

/**
 * The catalog: every destructive action hostops can request, each defined once (define.ts says
 * what an entry holds). Its command, its card, the approval policy's action names and the driver
 * call all come from here.
 */

export const ACTIONS: Readonly<Record<ActionName, Action>> = {
  reboot: rebootAction,
  poweron: powerOnAction,
  poweroff: powerOffAction,
  reinstall: reinstallAction,
  renew: renewAction,
  autorenew: autorenewAction,
  cancel: cancelAction,
  "domain-renew": domainRenewAction,
  "domain-ns": domainNsAction,
};

/** The action called `name`, or undefined (a row written by another version, a typo). */
export function actionNamed(name: string): Action | undefined {
  return isActionName(name) ? ACTIONS[name] : undefined;
}

/** Actions HOSTKEY may refuse for its PIN. */
export const PIN_ACTIONS: ActionName[] = ACTION_NAMES.filter((a) => ACTIONS[a].pin);

export type { Action, ActionName, BoundAction } from "./define.ts";
export { ACTION_NAMES, isActionName };
