import { describe, expect, it } from 'vitest';
import { decodeJson, decodeXml, PayloadError } from '../src/payload.ts';

describe('XML payloads', () => {
  it('refuses a DOCTYPE: no external entity is read, no entity is expanded', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
    const laughs = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;">]><a>&l2;</a>';
    for (const body of [xxe, laughs]) expect(() => decodeXml(Buffer.from(body))).toThrow(/DOCTYPE/);
  });

  it('refuses character references XML does not allow instead of dropping them', () => {
    expect(() => decodeXml(Buffer.from('<a>x&#0;y</a>'))).toThrow(/&#0;/);
    expect(() => decodeXml(Buffer.from('<a>x&#xD800;y</a>'))).toThrow(/&#xD800;/);
    expect(decodeXml(Buffer.from('<a>&#20013;&#x6587;&amp;</a>'))).toEqual({ a: '中文&' });
  });

  it('keeps values as text (文号 0012 stays 0012) and reads attributes as @name', () => {
    expect(decodeXml(Buffer.from('<a><n>0012</n><f k="1">t</f></a>'))).toEqual({ a: { n: '0012', f: { '#text': 't', '@k': '1' } } });
  });

  it('reads GBK as declared, and refuses bytes that are not what is declared', () => {
    const gbk = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="GBK"?><a>'), Buffer.from([0xd6, 0xd0, 0xce, 0xc4]), Buffer.from('</a>')]);
    expect(decodeXml(gbk)).toEqual({ a: '中文' });
    expect(() => decodeXml(Buffer.concat([Buffer.from('<a>'), Buffer.from([0xd6, 0xd0]), Buffer.from('</a>')]))).toThrow(/not valid UTF-8/);
    expect(() => decodeXml(Buffer.from('<?xml version="1.0" encoding="ISO-2022-JP"?><a/>'))).toThrow(/encoding "iso-2022-jp"/);
  });

  it('names the line and column of malformed XML and refuses names that would pollute prototypes', () => {
    expect(() => decodeXml(Buffer.from('<a>\n<b></a>'))).toThrow(/line 2/);
    expect(() => decodeXml(Buffer.from('<a><__proto__>x</__proto__></a>'))).toThrow(PayloadError);
  });
});

describe('JSON payloads', () => {
  it('must be UTF-8 JSON; a BOM is allowed', () => {
    expect(decodeJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]))).toEqual({ a: 1 });
    expect(() => decodeJson(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(/not valid UTF-8/);
    expect(() => decodeJson(Buffer.from('{"a":'))).toThrow(/not JSON/);
  });
});
