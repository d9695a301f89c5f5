import { describe, expect, it } from 'vitest';
import { LogprobsShapeError, parseChatLogprobs, parseCompletionLogprobs, parsePromptLogprobs } from './logprobs.js';

// Fixtures follow the documented response shapes (see the comment at the top of logprobs.ts); values are made up.
const chatResponse = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hi there' },
      logprobs: {
        content: [
          {
            token: 'Hi',
            logprob: -0.31,
            bytes: [72, 105],
            top_logprobs: [
              { token: 'Hello', logprob: -1.5, bytes: [72, 101, 108, 108, 111] },
              { token: 'Hi', logprob: -0.31, bytes: [72, 105] },
            ],
          },
          { token: ' there', logprob: -0.02, bytes: [32, 116, 104, 101, 114, 101], top_logprobs: [{ token: ' there', logprob: -0.02, bytes: null }] },
        ],
        refusal: null,
      },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

describe('parseChatLogprobs', () => {
  it('reads each generated token with its top-k, most likely first', () => {
    expect(parseChatLogprobs(chatResponse)).toEqual({
      tokenKind: 'text',
      positions: [
        { token: 'Hi', logprob: -0.31, top: [{ token: 'Hi', logprob: -0.31 }, { token: 'Hello', logprob: -1.5 }] },
        { token: ' there', logprob: -0.02, top: [{ token: ' there', logprob: -0.02 }] },
      ],
    });
  });

  it('turns vLLM token_id:N spellings into ids', () => {
    const response = {
      choices: [{ logprobs: { content: [{ token: 'token_id:9707', logprob: -0.1, bytes: null, top_logprobs: [{ token: 'token_id:9707', logprob: -0.1 }, { token: 'token_id:13048', logprob: -2.4 }] }] } }],
    };
    expect(parseChatLogprobs(response)).toEqual({
      tokenKind: 'id',
      positions: [{ token: 9707, logprob: -0.1, top: [{ token: 9707, logprob: -0.1 }, { token: 13048, logprob: -2.4 }] }],
    });
  });

  it('is null when the server sent no logprobs', () => {
    expect(parseChatLogprobs({ choices: [{ message: { content: 'x' }, logprobs: null }] })).toBeNull();
    expect(parseChatLogprobs({ choices: [{ message: { content: 'x' }, logprobs: { content: null, refusal: null } }] })).toBeNull();
  });

  it('rejects a malformed shape with where it went wrong', () => {
    const bad = { choices: [{ logprobs: { content: [{ token: 'Hi', logprob: 'high', top_logprobs: [] }] } }] };
    expect(() => parseChatLogprobs(bad)).toThrow(LogprobsShapeError);
    expect(() => parseChatLogprobs(bad)).toThrow(/content\.0\.logprob/);
    const positive = { choices: [{ logprobs: { content: [{ token: 'Hi', logprob: 0.5, top_logprobs: [] }] } }] };
    expect(() => parseChatLogprobs(positive)).toThrow(LogprobsShapeError);
  });
});

describe('parseCompletionLogprobs', () => {
  const completion = {
    object: 'text_completion',
    choices: [
      {
        index: 0,
        text: ' is a',
        logprobs: {
          tokens: [' is', ' a'],
          token_logprobs: [-0.5, -1.25],
          top_logprobs: [
            { ' was': -1.75, ' is': -0.5 },
            { ' a': -1.25, ' the': -0.75 },
          ],
          text_offset: [10, 13],
        },
        finish_reason: 'length',
      },
    ],
  };

  it('reads tokens, their log-probs and the top-k dicts', () => {
    expect(parseCompletionLogprobs(completion)).toEqual({
      tokenKind: 'text',
      positions: [
        { token: ' is', logprob: -0.5, top: [{ token: ' is', logprob: -0.5 }, { token: ' was', logprob: -1.75 }] },
        { token: ' a', logprob: -1.25, top: [{ token: ' the', logprob: -0.75 }, { token: ' a', logprob: -1.25 }] },
      ],
    });
  });

  it('keeps an echoed first prompt token whose log-prob is null', () => {
    const echoed = { choices: [{ logprobs: { tokens: ['The', ' cat'], token_logprobs: [null, -3], top_logprobs: [null, { ' cat': -3 }], text_offset: [0, 3] } }] };
    expect(parseCompletionLogprobs(echoed)?.positions).toEqual([
      { token: 'The', logprob: null, top: [] },
      { token: ' cat', logprob: -3, top: [{ token: ' cat', logprob: -3 }] },
    ]);
  });

  it('rejects lists of different lengths', () => {
    const bad = { choices: [{ logprobs: { tokens: [' is', ' a'], token_logprobs: [-0.5], top_logprobs: null } }] };
    expect(() => parseCompletionLogprobs(bad)).toThrow(/differ in length/);
  });
});

describe('parsePromptLogprobs', () => {
  // vLLM completion with prompt_logprobs: 2 — each entry holds the prompt token plus the top 2.
  const vllmCompletion = {
    object: 'text_completion',
    choices: [
      {
        index: 0,
        text: '',
        logprobs: null,
        prompt_logprobs: [
          null,
          { '374': { logprob: -0.25, rank: 1, decoded_token: ' is' }, '572': { logprob: -2.0, rank: 2, decoded_token: ' was' } },
          { '264': { logprob: -4.5, rank: 7, decoded_token: ' a' }, '279': { logprob: -0.5, rank: 1, decoded_token: ' the' }, '1045': { logprob: -1.5, rank: 2, decoded_token: ' my' } },
        ],
      },
    ],
  };

  it('reads ids ranked by vLLM and marks the prompt token when its ids are given', () => {
    expect(parsePromptLogprobs(vllmCompletion, { topK: 2, promptTokenIds: [785, 374, 264] })).toEqual({
      tokenKind: 'id',
      positions: [
        { token: 785, logprob: null, top: [] },
        { token: 374, logprob: -0.25, top: [{ token: 374, logprob: -0.25 }, { token: 572, logprob: -2.0 }] },
        // The prompt token ranks 7th: its log-prob is kept, but it is not one of the top 2.
        { token: 264, logprob: -4.5, top: [{ token: 279, logprob: -0.5 }, { token: 1045, logprob: -1.5 }] },
      ],
    });
  });

  it('reads the top-level field of a chat response, prompt token unknown without ids', () => {
    const chat = { choices: [{ message: { content: 'x' } }], prompt_logprobs: [null, { '17': { logprob: -0.5, rank: 1, decoded_token: 'a' } }] };
    expect(parsePromptLogprobs(chat)?.positions).toEqual([
      { token: null, logprob: null, top: [] },
      { token: null, logprob: null, top: [{ token: 17, logprob: -0.5 }] },
    ]);
  });

  it('rejects a count mismatch and non-numeric keys', () => {
    expect(() => parsePromptLogprobs(vllmCompletion, { promptTokenIds: [1, 2] })).toThrow(/3 positions but 2 prompt token ids/);
    expect(() => parsePromptLogprobs({ prompt_logprobs: [{ abc: { logprob: -1 } }] })).toThrow(LogprobsShapeError);
  });
});
