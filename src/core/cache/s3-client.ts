/**
 * The AWS SDK v3 S3 client of the `s3` cache, loaded on first use so configurations without an s3
 * cache never load the SDK. Credentials come from the SDK's default chain (environment,
 * `profile_name` in the shared files, container and instance roles), as boto3's do for MapProxy.
 */
import type { S3Client } from '@aws-sdk/client-s3';

export type S3Sdk = typeof import('@aws-sdk/client-s3');

let sdk: Promise<S3Sdk> | undefined;

/** The SDK module, imported once. */
export function loadS3Sdk(): Promise<S3Sdk> {
  sdk ??= import('@aws-sdk/client-s3');
  return sdk;
}

export interface S3ClientOptions {
  /** `profile_name`: a profile of ~/.aws/credentials and ~/.aws/config. */
  readonly profile?: string | undefined;
  /** `region_name`; default the SDK's chain (AWS_REGION, the profile), else us-east-1 as boto3. */
  readonly region?: string | undefined;
  /** `endpoint_url` of an S3-compatible store; addressed path-style (`<endpoint>/<bucket>/<key>`). */
  readonly endpointUrl?: string | undefined;
}

/** The region boto3 would use: given, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
function regionOf(options: S3ClientOptions): string {
  return options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

export async function createS3Client(options: S3ClientOptions): Promise<S3Client> {
  const { S3Client: Client } = await loadS3Sdk();
  return new Client({
    region: regionOf(options),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl, forcePathStyle: true }),
    // many S3-compatible stores refuse the SDK's default CRC32 checksum headers; MapProxy sends none
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
