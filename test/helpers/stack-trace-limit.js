/**
 * Node.js's own depth of stack traces, 10 frames, instead of jest's 100.
 *
 * aws-cdk-lib records a stack trace with every acknowledgement of a validation rule, even with stack traces off in
 * construct metadata, and jest source-maps every frame of every trace: with 100 frames that was about a tenth of a
 * whole-app synth. A failing test still shows its 10 innermost frames, as a plain `node` run would.
 */
Error.stackTraceLimit = 10;
