import { csvField, csvLine, csvLines, inChunks } from '../../src/common/csv/csv';

describe('CSV (RFC 4180)', () => {
  it('leaves plain text as it is', () => {
    expect(csvField('Nairobi CBD')).toBe('Nairobi CBD');
    expect(csvField('')).toBe('');
  });

  it('quotes a field holding a comma', () => {
    expect(csvField('Moi Avenue, 12')).toBe('"Moi Avenue, 12"');
  });

  it('doubles quotes inside a quoted field', () => {
    expect(csvField('the "best" price')).toBe('"the ""best"" price"');
  });

  it('quotes line breaks inside a field', () => {
    expect(csvField('line one\r\nline two')).toBe('"line one\r\nline two"');
    expect(csvField('line one\nline two')).toBe('"line one\nline two"');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+254712345678', "'+254712345678"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('prefixes %j with a quote so a spreadsheet does not run it as a formula', (text, field) => {
    expect(csvField(text)).toBe(field);
  });

  it('neutralises a formula and still quotes what needs quoting', () => {
    expect(csvField('=HYPERLINK("http://evil.example","click")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""click"")"`,
    );
  });

  it('writes numbers as numbers, negative ones included', () => {
    expect(csvField(11600)).toBe('11600');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(0.5)).toBe('0.5');
  });

  it('writes booleans, and null or undefined as an empty field', () => {
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('writes a Date as an ISO-8601 UTC timestamp', () => {
    expect(csvField(new Date(Date.UTC(2025, 10, 25, 8, 15)))).toBe('2025-11-25T08:15:00.000Z');
  });

  it('ends each line with CRLF', () => {
    expect(csvLine(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });

  it('turns rows into a header line and one line per row', async () => {
    const columns = [
      { header: 'sku', value: (row: { sku: string; qty: number }) => row.sku },
      { header: 'qty', value: (row: { sku: string; qty: number }) => row.qty },
    ];
    async function* rows() {
      yield { sku: 'A-1', qty: 2 };
      yield { sku: 'B,2', qty: -1 };
    }
    const lines: string[] = [];
    for await (const line of csvLines(columns, rows())) lines.push(line);
    expect(lines).toEqual(['sku,qty\r\n', 'A-1,2\r\n', '"B,2",-1\r\n']);
  });

  it('sends lines in chunks of about the given size, losing none', async () => {
    async function* lines() {
      for (let index = 0; index < 10; index++) yield `line ${index}\r\n`;
    }
    const chunks: string[] = [];
    for await (const chunk of inChunks(lines(), 20)) chunks.push(chunk);
    expect(chunks.join('')).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}\r\n`).join(''));
    expect(chunks).toHaveLength(4); // three of 24 characters, then the last 16
  });
});
