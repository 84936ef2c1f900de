/**
 * `tutti jeu build|extract` and running archives (docs/cli.md#tutti-jeu), end to end
 * through the built CLI.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, project } from './helpers.js';

const SHOP = {
  'Compo.toml':
    'name = "shop"\nversion = "1.4.0"\n\n[dependencies]\nstd = "0.10.2"\n\n[entrypoints]\nmain = "shop/main::main"\naudit = "shop/tools/audit::run"\n',
  'main.mel': 'use root/tools/audit::say\n\n/// Says hello.\ntreatment main(var who: string = "world")\n{\n    say(text = who)\n}\n',
  'tools/audit.mel':
    'use std/engine/util::startup\nuse std/flow::emit\nuse std/engine/log::logInfo\n\ntreatment say(var text: string)\n{\n    startup()\n    emit<string>(value = text)\n    logInfo(label = "shop")\n    startup.trigger -> emit.trigger,emit -> logInfo.message\n}\n\ntreatment run(var since: string = "ever")\n{\n    say(text = since)\n}\n',
  '.hidden/broken.mel': 'this is not Mélodium',
};

/** The shop with a syntax error in tools/audit.mel (a template string). */
const BROKEN = { ...SHOP, 'tools/audit.mel': SHOP['tools/audit.mel'].replace('say(text = since)', 'say(text = `since ${since}`)') };

const untimed = (s: string) => s.replace(/^\[[^\]]+\] /gm, '');

test('jeu build, then run and check the archive: the same results as the project', () => {
  const dir = project(SHOP);
  const built = cli(['jeu', 'build', dir, join(dir, 'out/shop.tar')]);
  assert.equal(built.status, 0, built.stderr);
  const jeu = join(dir, 'out/shop.jeu');
  assert.ok(existsSync(jeu), 'the extension is replaced by .jeu');
  assert.ok(!existsSync(join(dir, 'out/shop.tar')));
  assert.equal(readFileSync(jeu).subarray(0, 37).toString(), '#!/usr/bin/env melodium\n#! version 0\n');
  for (const args of [['--who', 'Ada'], ['audit', '--since', '2024'], []]) {
    const fromProject = cli(['run', join(dir, 'Compo.toml'), ...args]);
    const fromArchive = cli(['run', jeu, ...args]);
    assert.equal(fromProject.status, 0, fromProject.stderr);
    assert.equal(fromArchive.status, 0, fromArchive.stderr);
    assert.notEqual(untimed(fromProject.stdout), '');
    assert.equal(untimed(fromArchive.stdout), untimed(fromProject.stdout));
  }
  // `tutti FILE.jeu` is `tutti run FILE.jeu`; check and info read archives too.
  assert.match(cli([jeu, '--who', 'Bo']).stdout, /info: shop: Bo/);
  const checked = cli(['check', '--all', jeu]);
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(cli(['info', jeu]).stdout, /audit {2}\(shop\/tools\/audit::run\)\n {2}--since <string> {2}\(default "ever"\)/);
  // An extension-less output gets .jeu added.
  assert.equal(cli(['jeu', 'build', dir, join(dir, 'plain')]).status, 0);
  assert.ok(existsSync(join(dir, 'plain.jeu')));
});

test('an archive is offered to other programs with --path', () => {
  const dir = project(SHOP);
  assert.equal(cli(['jeu', 'build', dir, join(dir, 'shop')]).status, 0);
  const user = project({
    'user.mel':
      '#! name = user\n#! require = shop:^1.4 std:0.10.2\nuse shop/tools/audit::say\ntreatment main() {\n    say(text = "from user")\n}\n',
  });
  const r = cli(['run', '--path', join(dir, 'shop.jeu'), join(user, 'user.mel')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /info: shop: from user/);
});

test('--path FOLDER offers its scripts, archives and package folders (as package search does)', () => {
  const shop = project(SHOP);
  const lib = project({
    'greeter.mel':
      '#! name = greeter\n#! version = 1.2.0\n#! require = std:0.10.2\nuse std/engine/log::logInfo\ntreatment say()\n  input text: Block<string>\n{\n    logInfo(label = "greeter")\n    Self.text -> logInfo.message\n}\n',
    // An area of some project, not a package: no header, so not offered and not an error.
    'loose-area.mel': 'treatment x()\n{\n}\n',
    'tally/Compo.toml': 'name = "tally"\nversion = "0.3.0"\n[dependencies]\nstd = "0.10.2"\n',
    'tally/lib-root.mel': 'treatment nothing()\n{\n}\n',
    '.hidden/Compo.toml': 'this is not TOML = = =',
  });
  assert.equal(cli(['jeu', 'build', shop, join(lib, 'shop')]).status, 0);
  const user = project({
    'user.mel':
      '#! name = user\n#! require = std:0.10.2 greeter:^1.2 tally:0.3 shop:^1.4\nuse std/engine/util::startup\nuse std/flow::emit\nuse greeter::say\nuse shop/tools/audit::say as audit\ntreatment main() {\n    startup()\n    emit<string>(value = "found in a folder")\n    say()\n    audit(text = "from the archive")\n    startup.trigger -> emit.trigger,emit -> say.text\n}\n',
  });
  const r = cli(['run', '--path', lib, join(user, 'user.mel')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /info: greeter: found in a folder/);
  assert.match(r.stdout, /info: shop: from the archive/);
  // Without the folder, the same program misses its packages.
  const missing = cli(['check', join(user, 'user.mel')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /E_PACKAGE_NOT_FOUND/);
});

test('errors inside an archive name the archive and the file', () => {
  const dir = project(BROKEN);
  assert.equal(cli(['jeu', 'build', dir, join(dir, 'shop')]).status, 0);
  const r = cli(['check', '--all', join(dir, 'shop.jeu')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /shop\.jeu:tools\/audit\.mel:\d+:\d+/);
});

test('jeu extract unpacks into <dir>/<stem>/, creating folders; the round trip gives the same files', () => {
  const dir = project(SHOP);
  assert.equal(cli(['jeu', 'build', dir, join(dir, 'pack/shop')]).status, 0);
  const r = cli(['jeu', 'extract', join(dir, 'pack/shop.jeu'), join(dir, 'a/b')]);
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['Compo.toml', 'main.mel', 'tools/audit.mel'])
    assert.equal(readFileSync(join(dir, 'a/b/shop', f), 'utf8'), SHOP[f as keyof typeof SHOP]);
  assert.ok(!existsSync(join(dir, 'a/b/shop/.hidden')), 'dot folders are not archived');
});

test('bad archives are refused with the file named, never an internal error', () => {
  const dir = project(SHOP);
  assert.equal(cli(['jeu', 'build', dir, join(dir, 'shop')]).status, 0);
  const good = readFileSync(join(dir, 'shop.jeu'));
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated.jeu', good.subarray(0, good.length - 30), /truncated\.jeu.*not a valid \.jeu archive: .*ends too early/],
    ['binary.jeu', Buffer.from([0x80, 0x81, 0xff, 0x00]), /binary\.jeu.*neither a Mélodium source .* nor a \.jeu archive/],
    ['header.jeu', Buffer.from('#!/usr/bin/env melodium\n#! version 0\n'), /header\.jeu.*not a valid \.jeu archive/],
  ];
  for (const [name, bytes, message] of cases) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    for (const args of [
      ['run', file],
      ['check', file],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /E_FILE/);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    }
    const x = cli(['jeu', 'extract', file, join(dir, 'x')]);
    assert.equal(x.status, 2);
    assert.match(x.stderr, new RegExp(`tutti: jeu extract: '[^']*${name}' is not a valid .jeu archive`));
    assert.ok(!existsSync(join(dir, 'x', name.replace('.jeu', ''))), 'nothing is written');
  }
});

test('jeu usage errors exit 2; an invalid Compo.toml is reported and nothing is written', () => {
  const dir = project({ 'main.mel': 'treatment main() {}\n' });
  const cases: [string[], RegExp][] = [
    [['jeu'], /jeu needs a subcommand/],
    [['jeu', 'pack', 'a', 'b'], /unknown jeu subcommand 'pack'/],
    [['jeu', 'build', dir], /needs a project folder and an output/],
    [['jeu', 'build', dir, join(dir, 'o')], /has no Compo\.toml/],
    [['jeu', 'extract', join(dir, 'missing.jeu'), dir], /cannot read .*missing\.jeu.*no such file/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
  writeFileSync(join(dir, 'Compo.toml'), 'version = "1.0.0"\n');
  const r = cli(['jeu', 'build', dir, join(dir, 'o')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /E_MANIFEST/);
  assert.ok(!existsSync(join(dir, 'o.jeu')));
  assert.match(cli(['jeu', '--help']).stdout, /tutti jeu build \.\/shop dist\/shop/);
});
