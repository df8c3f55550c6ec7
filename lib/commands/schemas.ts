/** Request bodies of the command routes; also the source of their OpenAPI schemas. */
import * as z from 'zod';
import { userNameSchema } from '../domain/user/events.js';

export const registerUserBody = z.strictObject({ name: userNameSchema });
export const renameUserBody = z.strictObject({ name: userNameSchema });
