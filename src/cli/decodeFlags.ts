// The flags of decode's LoRaWAN and region features, apart from the code behind them (src/cli
// exchange.ts, region.ts): a plain decode parses them without loading LoRaWAN.
import type { OptionSpec } from "./args.js";

export const exchangeSpec = {
  appkey: { type: "string" },
  keys: { type: "string" },
  "show-session-keys": { type: "boolean" },
} as const;

export const exchangeHelp: [string, string][] = [
  [
    "--appkey K",
    "LoRaWAN 1.0.x AppKey (32 hex digits): join requests verified, join accepts decrypted, then the session's data MIC-checked and decrypted (best with --iq both)",
  ],
  [
    "--keys FILE",
    'keys of several devices: {"devices": [{"name", "devEui", "appKey"} or {"devAddr", "nwkSKey", "appSKey"}]}',
  ],
  ["--show-session-keys", "print the session keys derived from a join accept whose MIC verified (secrets)"],
];

export const regionSpec = {
  region: { type: "string" },
  subband: { type: "string" },
} as const satisfies OptionSpec;

export const regionHelp: [string, string][] = [
  [
    "--region R [--subband N]",
    "listen on a LoRaWAN plan's uplink channels: eu868 us915 au915 cn470 as923 kr920 in865 ru864 (sub-band N of us915/au915/cn470); SFs, bandwidths and sync 0x34 from the plan; frames name their dataRate",
  ],
];
