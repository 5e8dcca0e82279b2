"""Files visitors and agents attach to messages: streamed uploads, sniffed types, storage on
local disk or an S3-compatible store, signed download URLs (docs/attachments.md)."""
