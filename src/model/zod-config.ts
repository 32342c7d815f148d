// zod's configuration for lotusctl, imported (for its effect) before zod by every module that builds a schema.
// `jitless`: zod compiles a parser for each object schema with `new Function` on first use, which pays off over many
// parses; lotusctl parses each schema once or twice per run, where compiling costs more than it saves (3-5 ms of every
// validate and plan, README "Performance"). It is read when a schema is built, hence the import order.
import { config } from 'zod';

config({ jitless: true });
