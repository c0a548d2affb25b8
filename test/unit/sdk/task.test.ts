import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InvalidTaskIdentifierError,
  InvalidTaskInputError,
  InvalidTaskSpecError,
} from '../../../lambdas/core/jobs/errors.js';
import { TaskDefinitionError } from '../../../lambdas/sdk/errors.js';
import { identifierOf, Task } from '../../../lambdas/sdk/task.js';

class Plain extends Task {
  execute(): void {}
}

interface FetchInput {
  url: string;
  retries?: number;
  tags: string[];
}

class Fetch extends Task<FetchInput> {
  static override identifier = { name: 'news/Fetch', version: 'v1.2' };
  execute(): void {}
}

class VersionOnly extends Task {
  static override identifier = { version: 'v3.04' };
  execute(): void {}
}

class FetchChild extends Fetch {}

class Headline extends Task<string> {
  execute(): void {}
}

describe('identifierOf', () => {
  it('defaults to the class name and v0.0', () => {
    expect(identifierOf(Plain)).toEqual({ name: 'Plain', version: 'v0.0' });
  });

  it('uses the static identifier of the class', () => {
    expect(identifierOf(Fetch)).toEqual({ name: 'news/Fetch', version: 'v1.2' });
  });

  it('keeps the class name when only a version is given, in canonical form', () => {
    expect(identifierOf(VersionOnly)).toEqual({ name: 'VersionOnly', version: 'v3.4' });
  });

  it('does not inherit the identifier of a parent class', () => {
    expect(identifierOf(FetchChild)).toEqual({ name: 'FetchChild', version: 'v0.0' });
  });

  it('rejects a malformed version and names the class', () => {
    // Prepare
    class BadVersion extends Task {
      static override identifier = { version: '1.2' };
      execute(): void {}
    }

    // Act
    const act = () => identifierOf(BadVersion);

    // Assess
    expect(act).toThrow(InvalidTaskIdentifierError);
    expect(act).toThrow('BadVersion.identifier.version: "1.2" is not a version vX.Y');
  });

  it('rejects an anonymous class without a name', () => {
    // Prepare
    const Anonymous = (() =>
      class extends Task {
        execute(): void {}
      })();
    Object.defineProperty(Anonymous, 'name', { value: '' });

    // Act
    const act = () => identifierOf(Anonymous);

    // Assess
    expect(act).toThrow(TaskDefinitionError);
    expect(act).toThrow('an anonymous task class has no name');
  });
});

describe('Task', () => {
  it('exposes its typed input and identifier', () => {
    // Act
    const task = new Fetch({ url: 'https://example.com', tags: ['a'] });

    // Assess
    expect(task.input.url).toBe('https://example.com');
    expect(task.identifier).toEqual({ name: 'news/Fetch', version: 'v1.2' });
  });

  it('takes an empty object as input when none is given', () => {
    expect(new Plain().input).toEqual({});
  });

  it('accepts a non-object JSON input', () => {
    expect(new Headline('hello').toSpec().input).toBe('hello');
  });

  it('builds a validated core spec with defaults', () => {
    // Act
    const spec = new Fetch({ url: 'u', tags: [] }).toSpec({ cluster: 'gpu', maxRetries: 3 });

    // Assess
    expect(spec).toEqual({
      identifier: { name: 'news/Fetch', version: 'v1.2' },
      input: { url: 'u', tags: [] },
      display: 'news/Fetch',
      cluster: 'gpu',
      maxRetries: 3,
      dependsOn: [],
    });
  });

  it('copies the input, so later changes do not alter the spec', () => {
    // Prepare
    const task = new Fetch({ url: 'u', tags: ['a'] });
    const spec = task.toSpec();

    // Act
    task.input.tags.push('b');

    // Assess
    expect(spec.input).toEqual({ url: 'u', tags: ['a'] });
  });

  it('leaves out undefined optional input fields', () => {
    expect(new Fetch({ url: 'u', tags: [], retries: undefined }).toSpec().input).toEqual({
      url: 'u',
      tags: [],
    });
  });

  it('rejects input that is not JSON data and names the path', () => {
    // Prepare
    class Dated extends Task<{ items: { when: string }[] }> {
      execute(): void {}
    }
    const when = new Date(0) as unknown as string;
    const task = new Dated({ items: [{ when: 'x' }, { when }] });

    // Act
    const act = () => task.toSpec({ field: 'root' });

    // Assess
    expect(act).toThrow(InvalidTaskInputError);
    expect(act).toThrow(
      'root.input.items[1].when: a Date is not JSON data (convert it with toISOString())',
    );
  });

  it('rejects Date, function and bigint inputs at compile time', () => {
    // Prepare
    class Dated extends Task<{ when: Date }> {
      execute(): void {}
    }
    class Callback extends Task<{ done: () => void }> {
      execute(): void {}
    }

    // Act
    // @ts-expect-error a Date is not JSON data
    const dated = () => new Dated({ when: new Date() }).toSpec();
    // @ts-expect-error a function is not JSON data
    const callback = () => new Callback({ done: () => {} }).toSpec();

    // Assess
    expect(dated).toThrow(InvalidTaskInputError);
    expect(callback).toThrow('input.done: a function is not JSON data');
  });

  it('rejects invalid submission options', () => {
    expect(() => new Plain().toSpec({ maxRetries: 101 })).toThrow(InvalidTaskSpecError);
    expect(() => new Plain().toSpec({ cluster: 'no spaces' })).toThrow('task.cluster');
  });

  it('is always submittable when it is a plain task', () => {
    expect(() => new Plain().assertSubmittable()).not.toThrow();
    expect(new Plain().toPrototypeSpec()).toEqual(new Plain().toSpec());
  });
});

describe('TaskArgs', () => {
  it('makes the input optional only when every field is optional', () => {
    // Prepare
    class Optional extends Task<{ limit?: number }> {
      execute(): void {}
    }

    // Act
    const optional = new Optional();
    // @ts-expect-error url is required, so the input is too; at run time no schema checks fields
    const missing = new Fetch();

    // Assess
    expect(optional.input).toEqual({});
    expect(missing.input).toEqual({});
  });
});

class Resize extends Task<{ key: string; width: number }> {
  static override inputSchema = z.object({ key: z.string(), width: z.number().int().positive() });
  execute(): void {}
}

describe('Task.inputSchema', () => {
  it('refuses at spec time an input its schema rejects, naming the field', () => {
    // Prepare
    const wrong = new Resize(JSON.parse('{"key":"a.png","width":"wide"}'));
    const notAnObject = new Resize(JSON.parse('[1,2]'));

    // Act / Assess
    expect(() => wrong.toSpec()).toThrow(InvalidTaskInputError);
    expect(() => wrong.toSpec()).toThrow(/^task\.input\.width: .*number/);
    expect(() => notAnObject.toPrototypeSpec({ field: 'automation.task' })).toThrow(
      /^automation\.task\.input: /,
    );
  });

  it('builds the spec of an input its schema accepts', () => {
    // Act
    const spec = new Resize({ key: 'a.png', width: 640 }).toSpec();

    // Assess
    expect(spec.input).toEqual({ key: 'a.png', width: 640 });
  });
});
