import { Ajv } from 'ajv';
import { z } from 'zod';

export interface CompiledSchema {
  /** JSON Schema sent to the API as the forced tool's `input_schema`. */
  jsonSchema: Record<string, unknown>;
  /** `[]` when valid, else one line per problem: `main_issue: expected string or null`. */
  check(value: unknown): string[];
}

const ajv = new Ajv({ allErrors: true, strict: false });

function isZod(schema: object): schema is z.ZodType {
  return '_zod' in schema && typeof (schema as { safeParse?: unknown }).safeParse === 'function';
}

/**
 * Turns the config's `output.schema` (zod 4 or JSON Schema) into the JSON
 * Schema the API needs plus a checker that runs on every answer: the model's
 * object is never trusted just because the API enforced the schema.
 */
export function compileOutputSchema(schema: object): CompiledSchema {
  if (isZod(schema)) {
    const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema) as Record<string, unknown>;
    // The API takes an object as a tool's input, and would refuse every request (each paid for, each failing) otherwise.
    if (jsonSchema.type !== 'object') throw new Error('the schema must describe an object (z.object({ … })): the answer is a tool call\'s input, which is always an object');
    return {
      jsonSchema,
      check(value) {
        const parsed = schema.safeParse(value);
        if (parsed.success) return [];
        return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`);
      },
    };
  }
  if ('safeParse' in schema || '_def' in schema) {
    throw new Error('only zod 4 schemas are supported (import { z } from "batchmatter" or "zod" v4), or a plain JSON Schema object');
  }
  const { $schema: _ignored, ...jsonSchema } = schema as Record<string, unknown>;
  if (jsonSchema.type !== 'object') throw new Error('a JSON Schema for a tool must have type "object"');
  const validate = ajv.compile(jsonSchema);
  return {
    jsonSchema,
    check(value) {
      if (validate(value)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(value)'}: ${e.message ?? 'invalid'}`);
    },
  };
}
