import type { webApi } from "@slack/bolt";
import { type Block, blocksToText, type Reply } from "../../core/reply.ts";

type ImageBlock = Extract<Block, { kind: "image" }>;

/** The pictures of a reply, and the reply without them. */
export function splitImages(reply: Reply): { images: ImageBlock[]; rest: Reply } {
  const images = reply.blocks.filter((b): b is ImageBlock => b.kind === "image");
  if (!images.length) return { images, rest: reply };
  const blocks = reply.blocks.filter((b) => b.kind !== "image");
  return { images, rest: { ...reply, blocks, text: blocksToText(blocks) } };
}

/**
 * Uploads a reply's pictures into the channel with the files upload v2 flow
 * (files.getUploadURLExternal, the upload, files.completeUploadExternal), the reply's text as
 * the comment that introduces them (screen readers and notifications read it).
 */
export async function uploadImages(
  client: webApi.WebClient,
  channelId: string,
  images: ImageBlock[],
  comment: string,
  threadTs?: string,
): Promise<void> {
  await client.filesUploadV2({
    channel_id: channelId,
    initial_comment: comment,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    file_uploads: images.map((img) => ({
      file: Buffer.from(img.png),
      filename: img.filename,
      title: img.filename,
      alt_text: img.alt.slice(0, 1000),
    })),
  });
}
