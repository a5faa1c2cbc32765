export { ConnectMerchantUseCase } from './connect-merchant.use-case.js';
export { MERCHANT_REASONS, MerchantTokens } from './merchant-tokens.service.js';
export type { MerchantSummary, NewTokens, TokenLookup } from './merchant-tokens.service.js';
export { MerchantsModule } from './merchants.module.js';
export { TokenCipher, TokenDecryptError } from './token-cipher.js';
