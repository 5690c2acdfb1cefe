import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Reply } from "../../core/reply.ts";

/** Where the console writes the pictures of its replies (a terminal shows no images). */
export const PICTURES_DIR = join(tmpdir(), "hostops-pictures");

/**
 * Writes each picture of a reply to a PNG file and puts its path where the picture was, so that
 * the person can open it (the text summary stays beside it).
 */
export function savePictures(reply: Reply, dir = PICTURES_DIR): Reply {
  if (!reply.blocks.some((b) => b.kind === "image")) return reply;
  mkdirSync(dir, { recursive: true });
  return {
    ...reply,
    blocks: reply.blocks.map((b) => {
      if (b.kind !== "image") return b;
      const path = join(dir, basename(b.filename));
      writeFileSync(path, b.png);
      return { kind: "context", text: `Picture saved to ${path}` };
    }),
  };
}
