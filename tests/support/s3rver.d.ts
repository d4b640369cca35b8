// s3rver ships no types: the part of its API the tests use
declare module 's3rver' {
  import type { Readable } from 'node:stream';
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: Array<{ name: string }>;
  }
  class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    store: {
      existsObject(bucket: string, key: string): Promise<boolean>;
      getObject(bucket: string, key: string): Promise<{ content: Readable; size: number } | null>;
      listObjects(bucket: string, options: { prefix?: string }): Promise<{ objects: Array<{ key: string; size: number }> }>;
    };
  }
  export default S3rver;
}
