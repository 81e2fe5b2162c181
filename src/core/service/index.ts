/** OGC and tile services, framework-free: `handle(ServiceRequest): Promise<ServiceResponse>`. */
export type { ServiceRequest, ServiceResponse, CachePolicy, Service } from './types.js';
