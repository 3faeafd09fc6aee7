// real-client.mjs — the official `openai` SDK talking to Spark's fake server.
//
// Usage: node real-client.mjs BASE_URL
// Prints one JSON object with what the SDK saw. The C driver
// (tests/test-real-client.c) queues the streams and checks both sides.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';

const baseURL = process.argv[2];
const client = new OpenAI({ baseURL, apiKey: 'sk-real-client-check', maxRetries: 0 });
const report = {};

// 1. HTTP + SSE through the SDK's own stream parser.
{
  const stream = await client.responses.create({ model: 'test-model', input: 'hi', stream: true });
  const types = [];
  let text = '';
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'response.output_text.delta') text += event.delta;
  }
  report.sse = { types, text };
}

// 2. The SDK's higher-level helper assembles the final response object.
{
  const final = await client.responses.stream({ model: 'test-model', input: 'hi' }).finalResponse();
  report.sse_final = { id: final.id, status: final.status, output_text: final.output_text };
}

// 3. WebSocket mode: warm-up, a turn with a freeform apply_patch call, the
// tool output chained with previous_response_id, all on one socket.
{
  const ws = new ResponsesWS(client);
  const seen = [];
  const errors = [];
  let waiter = null;

  ws.on('event', (event) => {
    seen.push(event.type);
    if (['response.completed', 'response.failed', 'error'].includes(event.type) && waiter) {
      const w = waiter;
      waiter = null;
      w(event);
    }
  });
  ws.on('error', (err) => errors.push(String(err.message ?? err)));

  const request = (body) =>
    new Promise((resolve) => {
      waiter = resolve;
      ws.send({ type: 'response.create', ...body });
    });

  const warm = await request({ model: 'test-model', generate: false, input: [] });
  const turn = await request({
    model: 'test-model',
    previous_response_id: warm.response?.id,
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'edit' }] }],
  });
  const call = (turn.response?.output ?? []).find((item) => item.type === 'custom_tool_call');
  const follow = await request({
    model: 'test-model',
    previous_response_id: turn.response?.id,
    input: [{ type: 'custom_tool_call_output', call_id: call?.call_id, output: 'Success. Updated the following files:\nM hello.txt\n' }],
  });
  // A previous_response_id the connection never produced.
  const missing = await request({ model: 'test-model', previous_response_id: 'resp_nope', input: [] });
  ws.close({ code: 1000, reason: 'done' });

  report.ws = {
    warm_id: warm.response?.id,
    turn_status: turn.response?.status,
    patch_name: call?.name,
    patch_input: call?.input,
    follow_text: follow.response?.output?.[0]?.content?.[0]?.text,
    missing_code: missing.error?.code,
    event_types: [...new Set(seen)].sort(),
    sdk_errors: errors,
  };
}

// 4. Compaction: a create asking for server-side compaction, whose stream
// carries a compaction item, then the standalone compact endpoint.
{
  const final = await client.responses
    .stream({
      model: 'test-model',
      input: 'long',
      context_management: [{ type: 'compaction', compact_threshold: 1000 }],
    })
    .finalResponse();
  const compacted = await client.responses.compact({
    model: 'test-model',
    input: [{ type: 'message', role: 'user', content: 'first' }],
  });
  report.compaction = {
    output_types: final.output.map((item) => item.type),
    output_text: final.output_text,
    compact_object: compacted.object,
    compact_types: compacted.output.map((item) => item.type),
    compact_input_tokens: compacted.usage?.input_tokens,
  };
}

console.log(JSON.stringify(report));
