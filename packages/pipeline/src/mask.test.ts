import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectDesignSecrets, isSecretName, SecretMasker } from './mask.js';

test('the naming convention covers the parameters real programs use', () => {
  for (const n of [
    'api_token',
    'github_token',
    'gitlab_token',
    'token',
    'secrets',
    'client_secret',
    'password',
    'db_passwd',
    'apiKey',
    'private_key',
    'credentials',
  ])
    assert.equal(isSecretName(n), true, n);
  for (const n of ['name', 'project', 'url', 'sha', 'author', 'key', 'cache_key']) assert.equal(isSecretName(n), false, n);
});

test('secrets are masked whole, longest first, in their printed forms', () => {
  const m = new SecretMasker();
  assert.equal(m.mask('nothing to hide'), 'nothing to hide');
  m.add('hunter2');
  m.add('hunter2-extended');
  m.add('');
  assert.equal(m.mask('a hunter2 b hunter2-extended c'), 'a *** b *** c');
  m.add('p@ss "word"\nline2-part');
  assert.equal(m.mask('json: "p@ss \\"word\\"\\nline2-part"'), 'json: "***"');
  assert.equal(m.mask('url: p%40ss%20%22word%22%0Aline2-part'), 'url: ***');
  assert.equal(m.mask('only line2-part shows'), 'only *** shows');
  assert.equal(m.mask(`b64 ${Buffer.from('hunter2').toString('base64')}`), 'b64 ***==');
  m.add('a.b*c');
  assert.equal(m.mask('x a.b*c axbbc'), 'x *** axbbc');
});

test('values of secret parameters are collected from maps, arrays and designs', () => {
  const m = new SecretMasker();
  m.addParams({ name: 'visible', secrets: new Map([['GH', 'ghp_abc123']]), tokens: ['t0k3n'] });
  assert.equal(m.mask('visible ghp_abc123 t0k3n'), 'visible *** ***');
  const d = new SecretMasker();
  collectDesignSecrets(
    {
      leaves: [
        {
          params: {
            api_token: { kind: 'const', value: 's3cr3t' },
            text: { kind: 'const', value: 'plain' },
            gitlab_token: { kind: 'context', value: 'x' },
          },
        },
      ],
      models: [{ params: { github_token: 'ght_999', location: 'local' } }],
    },
    d,
  );
  assert.equal(d.mask('s3cr3t plain ght_999 local x'), '*** plain *** local x');
});

test('a masker may use another mask text (GitLab hosts show [MASKED])', () => {
  const m = new SecretMasker('[MASKED]');
  m.add('glpat-Abc123xyz789');
  assert.equal(m.mask('token glpat-Abc123xyz789 end'), 'token [MASKED] end');
  assert.equal(new SecretMasker().mask('nothing'), 'nothing');
});
