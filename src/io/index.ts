// chirpkit/io: raw IQ formats, SigMF metadata and archives. Isomorphic (Node and browsers).
export * from "./formats.js";
export * from "./sigmf.js";
export * from "./tar.js";
export * from "./loratap.js";
