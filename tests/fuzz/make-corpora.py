#!/usr/bin/env python3
# make-corpora.py: seed corpora of the event and SSE fuzz targets, taken
# from the recorded streams in tests/streams/.
#
# Copyright 2026 The Spark authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# corpus-events/: one file per distinct event shape (each event type once per
# stream, plus the directives' bad frames). corpus-sse/: each stream as an SSE
# body, in windows of a few events, with LF, CRLF and CR line ends; the first
# byte is the fuzzer's piece-size/limit selector. Run from anywhere; it
# rewrites both folders.

import hashlib
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
STREAMS = os.path.join(HERE, '..', 'streams')
MAX_LEN = 4096


def events_of(path):
    out = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            event = json.loads(line)
            if '$' in event:
                if event['$'] == 'raw':
                    out.append(event['text'].encode('utf-8'))
                continue
            out.append(line.replace('__RESP__', 'resp_1').encode('utf-8'))
    return out


def write(folder, data):
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)


def sse_body(events, chat, newline):
    body = b''
    for data in events:
        if not chat:
            try:
                kind = json.loads(data).get('type', 'message')
            except (ValueError, AttributeError):
                kind = 'message'
            body += b'event: ' + str(kind).encode() + newline
        body += b'data: ' + data + newline + newline
    if chat:
        body += b'data: [DONE]' + newline + newline
    return body


def main():
    events_dir = os.path.join(HERE, 'corpus-events')
    sse_dir = os.path.join(HERE, 'corpus-sse')
    for d in (events_dir, sse_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

    for name in sorted(os.listdir(STREAMS)):
        if not name.endswith('.jsonl'):
            continue
        events = events_of(os.path.join(STREAMS, name))
        chat = name.startswith('chat-')

        seen = set()
        for data in events:
            try:
                kind = json.loads(data).get('type', data[:20])
            except (ValueError, AttributeError):
                kind = data[:20]
            if kind in seen or len(data) > MAX_LEN:
                continue
            seen.add(kind)
            write(events_dir, data)

        small = [e for e in events if len(e) < MAX_LEN // 2]
        for i, newline in enumerate((b'\n', b'\r\n', b'\r')):
            start = 0
            while start < len(small):
                end = start + 1
                while end < len(small) and len(sse_body(small[start:end + 1], chat, newline)) < MAX_LEN - 1:
                    end += 1
                body = sse_body(small[start:end], chat, newline)
                # Selector byte: pieces of 1..32 bytes, the 4 KiB limit.
                write(sse_dir, bytes([(start * 7 + i * 5) % 32]) + body)
                start = end

    # Frames the streams cannot hold: binary, non-objects, odd types.
    for data in (b'\x00\x01\x02\x03', b'[]', b'"response.created"', b'null', b'{"type":7}',
                 b'{"type":null}', b'{}', b'{"type":"error"}', b'{"type":"response.failed"}',
                 b'{"type":"response.incomplete","response":{"incomplete_details":{}}}',
                 b'{"type":"response.output_text.delta","delta":"\\ud800","sequence_number":1}'):
        write(events_dir, data)


if __name__ == '__main__':
    main()
