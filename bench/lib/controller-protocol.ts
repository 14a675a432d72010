/** The IPC messages between the bench and its controller process. */
export interface ControllerSettings {
  dir: string;
  endpoint: string;
  workers: number;
  /** Client-side token-bucket rates are multiplied by this (1 = AWS's documented rates). */
  rateScale: number;
  /** `--max-old-space-size` for the controller process, in MB, instead of production's. */
  heapMb?: number;
}

export type ControllerRequest = { type: 'status' } | { type: 'resync' } | { type: 'usage' };

export type ControllerReply =
  | { type: 'status'; ready: boolean; total: number; synced: number; healthy: number }
  | { type: 'resync'; seconds: number; cpuSeconds: number; maxRssBytes: number }
  | { type: 'usage'; cpuSeconds: number; maxRssBytes: number; rssBytes: number; heapUsedBytes: number };
