import { zipEntryNames } from './zip-entries';

/** A minimal stored (uncompressed) zip archive with the given empty entries. */
function zipOf(names: string[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('zipEntryNames', () => {
  it('lists the entries of the central directory in order', () => {
    const names = ['dist/apps/validation/handler.js', 'dist/apps/validation/handler.js.map'];

    expect(zipEntryNames(zipOf(names))).toEqual(names);
  });

  it('lists nothing for an empty archive', () => {
    expect(zipEntryNames(zipOf([]))).toEqual([]);
  });

  it('refuses bytes that are not a zip archive', () => {
    expect(() => zipEntryNames(Buffer.from('not a zip archive, just some text'))).toThrow(/not a zip archive/);
  });
});
