import { SAMPLE_PAYMENTS, SAMPLE_REFUNDS } from './samples.js';

// One object of every type the pipeline retrieves from Square's API (the keys of @app/square-api's
// RETRIEVERS), as the API returns it: snake_case, money as {amount, currency}, the fields the
// official SDK's type declares. They seed the fake Square API; square-objects.spec.ts checks that
// each one survives the SDK's parse and serialize unchanged. Ids are made up in Square's formats,
// and the objects refer to each other (one seller, location LQ8T3M2V6R0YA, customer W8RT…).

export const OBJECT_SAMPLES: Record<string, Record<string, unknown>> = {
  payment: SAMPLE_PAYMENTS[0]!,
  refund: SAMPLE_REFUNDS[0]!,

  order: {
    id: 'Ord7hXq2PcVb9Lm1NzKd4sTwYe', location_id: 'LQ8T3M2V6R0YA', customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA', reference_id: 'web-10452',
    source: { name: 'Online Store' },
    line_items: [
      {
        uid: 'Hq3vL8mB0cXw2ZpK', name: 'Oat Latte', quantity: '2', catalog_object_id: 'QJ4Z6X2VYB7N3M5KLR8PWTHD', catalog_version: 1759412345678, variation_name: 'Large', item_type: 'ITEM',
        base_price_money: { amount: 550, currency: 'USD' }, variation_total_price_money: { amount: 1100, currency: 'USD' }, gross_sales_money: { amount: 1100, currency: 'USD' },
        total_tax_money: { amount: 0, currency: 'USD' }, total_discount_money: { amount: 0, currency: 'USD' }, total_money: { amount: 1100, currency: 'USD' },
      },
      {
        uid: 'Vt9sN4kD2yRj6QaE', name: 'Almond Croissant', quantity: '3', catalog_object_id: 'B2N8C4X6ZV1M9K3L7JQ5RTWY', catalog_version: 1759412345678, variation_name: 'Regular', item_type: 'ITEM',
        base_price_money: { amount: 450, currency: 'USD' }, variation_total_price_money: { amount: 1350, currency: 'USD' }, gross_sales_money: { amount: 1350, currency: 'USD' },
        total_tax_money: { amount: 0, currency: 'USD' }, total_discount_money: { amount: 0, currency: 'USD' }, total_money: { amount: 1350, currency: 'USD' },
      },
    ],
    fulfillments: [
      {
        uid: 'Pf2bW7xM5nQ9cLr3', type: 'PICKUP', state: 'COMPLETED',
        pickup_details: { recipient: { display_name: 'Maya Okafor', phone_number: '+14155550142' }, schedule_type: 'ASAP', placed_at: '2026-10-02T14:02:58.311Z', ready_at: '2026-10-02T14:11:20.000Z', picked_up_at: '2026-10-02T14:16:02.000Z' },
      },
    ],
    net_amounts: { total_money: { amount: 2450, currency: 'USD' }, tax_money: { amount: 0, currency: 'USD' }, discount_money: { amount: 0, currency: 'USD' }, tip_money: { amount: 0, currency: 'USD' }, service_charge_money: { amount: 0, currency: 'USD' } },
    created_at: '2026-10-02T14:02:58.311Z', updated_at: '2026-10-02T14:16:02.480Z', closed_at: '2026-10-02T14:16:02.480Z', state: 'COMPLETED', version: 5,
    total_money: { amount: 2450, currency: 'USD' }, total_tax_money: { amount: 0, currency: 'USD' }, total_discount_money: { amount: 0, currency: 'USD' },
    total_tip_money: { amount: 0, currency: 'USD' }, total_service_charge_money: { amount: 0, currency: 'USD' }, net_amount_due_money: { amount: 0, currency: 'USD' },
  },

  customer: {
    id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA', created_at: '2025-03-14T18:22:05.114Z', updated_at: '2026-09-28T09:41:17Z',
    given_name: 'Maya', family_name: 'Okafor', email_address: 'maya.okafor@example.com', phone_number: '+14155550142', reference_id: 'crm-88213',
    address: { address_line_1: '1455 Market St', address_line_2: 'Apt 604', locality: 'San Francisco', administrative_district_level_1: 'CA', postal_code: '94103', country: 'US' },
    preferences: { email_unsubscribed: false }, creation_source: 'THIRD_PARTY', group_ids: ['JGJCW9S0G68NE.LOYALTY_ALL'], segment_ids: ['JGJCW9S0G68NE.REACHABLE'], version: 4,
  },

  invoice: {
    id: 'inv:0-ChB3k9Qm2VxR7tLp4NcYw8ZsEJ1', version: 2, location_id: 'LQ8T3M2V6R0YA', order_id: 'Ord4kT8wQm2ZpV6nB9xLc3RsYh',
    primary_recipient: { customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA', given_name: 'Maya', family_name: 'Okafor', email_address: 'maya.okafor@example.com', phone_number: '+14155550142' },
    payment_requests: [
      {
        uid: '6d1c3f0e-2b8a-4c4e-9a57-1f2d3e4c5b6a', request_type: 'BALANCE', due_date: '2026-10-30', tipping_enabled: false, automatic_payment_source: 'NONE',
        reminders: [{ uid: 'c7a9b1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d', relative_scheduled_days: -1, message: 'Your invoice is due tomorrow.', status: 'PENDING' }],
        computed_amount_money: { amount: 18000, currency: 'USD' }, total_completed_amount_money: { amount: 0, currency: 'USD' },
      },
    ],
    delivery_method: 'EMAIL', invoice_number: '000114', title: 'Catering, October 30', description: 'Coffee service for 20 guests',
    public_url: 'https://squareup.com/pay-invoice/inv:0-ChB3k9Qm2VxR7tLp4NcYw8ZsEJ1', next_payment_amount_money: { amount: 18000, currency: 'USD' },
    status: 'UNPAID', timezone: 'America/Los_Angeles', created_at: '2026-10-03T16:20:11Z', updated_at: '2026-10-03T16:25:47Z',
    accepted_payment_methods: { card: true, square_gift_card: false, bank_account: true, buy_now_pay_later: false, cash_app_pay: false },
    sale_or_service_date: '2026-10-30', store_payment_method_enabled: false,
  },

  dispute: {
    id: 'Dq4Lm8VtR2xKp9ZcWn3Bs', amount_money: { amount: 2450, currency: 'USD' }, reason: 'NO_KNOWLEDGE', state: 'EVIDENCE_REQUIRED', due_at: '2026-10-24T00:00:00.000Z',
    disputed_payment: { payment_id: 'Rk2vW9mZtQ4yHc7NpL0sXa3BfGe' }, card_brand: 'VISA', created_at: '2026-10-09T19:04:31.822Z', updated_at: '2026-10-09T19:04:33.301Z',
    brand_dispute_id: '100000282394', reported_at: '2026-10-09T00:00:00.000Z', version: 1, location_id: 'LQ8T3M2V6R0YA',
  },

  subscription: {
    id: '3f6d2a1b-8c4e-4b7a-9d5f-0e1c2b3a4d5e', location_id: 'LQ8T3M2V6R0YA', plan_variation_id: 'VQ2X6Z8N4M1B7C3L5K9J', customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA',
    start_date: '2026-09-01', charged_through_date: '2026-11-01', status: 'ACTIVE', invoice_ids: ['inv:0-ChD8s2Lq5VmN3xKp7TcRw1ZbYF4', 'inv:0-ChA5n9Xr3WkP6vLm2QdTs8YcHG7'],
    version: 3, created_at: '2026-08-30T12:45:09Z', card_id: 'ccof:Qm7kXv2RtN9pLs4BcW8', timezone: 'America/Los_Angeles', source: { name: 'Neighborhood Coffee' },
    monthly_billing_anchor_date: 1, phases: [{ uid: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', ordinal: 0, order_template_id: 'Tpl6mQ2xV9nR4kL8wB3cZs7YdJ', plan_phase_uid: 'PHZ4N7Q2XV8M3K6B' }],
  },

  booking: {
    id: 'q7m2kx9vz4rtln', version: 1, status: 'ACCEPTED', created_at: '2026-10-04T10:12:44Z', updated_at: '2026-10-04T10:15:02Z', start_at: '2026-10-11T17:00:00Z',
    location_id: 'LQ8T3M2V6R0YA', customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA', customer_note: 'Window seat if possible', seller_note: '',
    appointment_segments: [{ duration_minutes: 60, service_variation_id: 'RU3PBTZTK7DXZDQFCJHOK2MC', team_member_id: 'TMoK_ogh6rH1o4dV', service_variation_version: 1759412345678 }],
    transition_time_minutes: 0, all_day: false, location_type: 'BUSINESS_LOCATION', creator_details: { creator_type: 'CUSTOMER', customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA' }, source: 'FIRST_PARTY_BUYER',
  },

  gift_card: {
    id: 'gftc:4e8b1f0c2d7a4f6b9e3c5a1d8b2f7e0c', type: 'DIGITAL', gan_source: 'SQUARE', state: 'ACTIVE', balance_money: { amount: 2500, currency: 'USD' },
    gan: '7783320007391425', created_at: '2026-09-20T15:30:12Z', customer_ids: ['W8RT4ZQK2N6VB1XH9CMPD3FJSA'],
  },

  loyalty_account: {
    id: '8c2f4a6e-1b3d-4f5a-9c7e-2d4b6f8a0c1e', program_id: 'd619f755-2d17-41f3-990d-c04ecedd64dd', balance: 14, lifetime_points: 62, customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA',
    enrolled_at: '2025-03-14T18:22:07Z', created_at: '2025-03-14T18:22:07Z', updated_at: '2026-10-02T14:16:05Z',
    mapping: { id: 'e3f1a5c7-9b2d-4e6f-8a0c-1b3d5f7a9c2e', created_at: '2025-03-14T18:22:07Z', phone_number: '+14155550142' },
  },

  loyalty_program: {
    id: 'd619f755-2d17-41f3-990d-c04ecedd64dd', status: 'ACTIVE',
    reward_tiers: [{ id: 'e1b39225-9da5-43d1-a5db-782cdd8ad94f', points: 10, name: 'Free drink', created_at: '2025-01-08T22:15:10Z', pricing_rule_reference: { object_id: '74C4JSHESNLTB2A7ITO5HO6F', catalog_version: 1736374510000 } }],
    expiration_policy: { expiration_duration: 'P1Y' }, terminology: { one: 'Star', other: 'Stars' }, location_ids: ['LQ8T3M2V6R0YA'],
    created_at: '2025-01-08T22:15:10Z', updated_at: '2026-06-01T08:00:00Z',
    accrual_rules: [{ accrual_type: 'SPEND', points: 1, spend_data: { amount_money: { amount: 500, currency: 'USD' }, excluded_category_ids: [], excluded_item_variation_ids: [], tax_mode: 'BEFORE_TAX' } }],
  },

  team_member: {
    id: 'TMoK_ogh6rH1o4dV', reference_id: 'emp-0042', is_owner: false, status: 'ACTIVE', given_name: 'Diego', family_name: 'Ramírez', email_address: 'diego.ramirez@example.com',
    phone_number: '+14155550187', created_at: '2024-11-05T17:40:22Z', updated_at: '2026-09-15T11:02:39Z',
    assigned_locations: { assignment_type: 'EXPLICIT_LOCATIONS', location_ids: ['LQ8T3M2V6R0YA'] },
    wage_setting: {
      team_member_id: 'TMoK_ogh6rH1o4dV', job_assignments: [{ job_title: 'Barista', pay_type: 'HOURLY', hourly_rate: { amount: 2200, currency: 'USD' }, job_id: 'FjS8x95cqHiMenw4f1NAUH4P' }],
      is_overtime_exempt: false, version: 3, created_at: '2024-11-05T17:40:22Z', updated_at: '2026-09-15T11:02:39Z',
    },
  },

  job: { id: 'FjS8x95cqHiMenw4f1NAUH4P', title: 'Barista', is_tip_eligible: true, created_at: '2024-11-05T17:38:01Z', updated_at: '2025-05-20T09:14:55Z', version: 2 },

  timecard: {
    id: 'T35HMQSN89SV4', location_id: 'LQ8T3M2V6R0YA', timezone: 'America/Los_Angeles', start_at: '2026-10-02T07:00:00-07:00', end_at: '2026-10-02T15:30:00-07:00',
    wage: { title: 'Barista', hourly_rate: { amount: 2200, currency: 'USD' }, job_id: 'FjS8x95cqHiMenw4f1NAUH4P', tip_eligible: true },
    breaks: [{ id: 'X7GAQYVVRRG6P', start_at: '2026-10-02T11:00:00-07:00', end_at: '2026-10-02T11:30:00-07:00', break_type_id: 'REGS1EQR1TPZ5', name: 'Lunch', expected_duration: 'PT30M', is_paid: false }],
    status: 'CLOSED', version: 3, created_at: '2026-10-02T14:00:04Z', updated_at: '2026-10-02T22:30:11Z', team_member_id: 'TMoK_ogh6rH1o4dV', declared_cash_tip_money: { amount: 1200, currency: 'USD' },
  },

  scheduled_shift: {
    id: 'K0YH4CV5462JB',
    draft_shift_details: { team_member_id: 'TMoK_ogh6rH1o4dV', location_id: 'LQ8T3M2V6R0YA', job_id: 'FjS8x95cqHiMenw4f1NAUH4P', start_at: '2026-10-12T07:00:00-07:00', end_at: '2026-10-12T15:00:00-07:00', notes: 'Opening shift', is_deleted: false, timezone: 'America/Los_Angeles' },
    published_shift_details: { team_member_id: 'TMoK_ogh6rH1o4dV', location_id: 'LQ8T3M2V6R0YA', job_id: 'FjS8x95cqHiMenw4f1NAUH4P', start_at: '2026-10-12T07:00:00-07:00', end_at: '2026-10-12T15:00:00-07:00', notes: 'Opening shift', is_deleted: false, timezone: 'America/Los_Angeles' },
    version: 2, created_at: '2026-10-05T18:30:00Z', updated_at: '2026-10-05T18:45:12Z',
  },

  payout: {
    id: 'po_b345d2c7-90b3-4f0b-a2aa-df1def7f8afc', status: 'PAID', location_id: 'LQ8T3M2V6R0YA', created_at: '2026-10-03T03:31:58Z', updated_at: '2026-10-03T14:08:20Z',
    amount_money: { amount: 48213, currency: 'USD' }, destination: { type: 'BANK_ACCOUNT', id: 'bact:Zb4Lm8Qx2VtR6nK9' }, version: 2, type: 'BATCH',
    payout_fee: [{ amount_money: { amount: 0, currency: 'USD' }, effective_at: '2026-10-03T03:31:58Z', type: 'TRANSFER_FEE' }], arrival_date: '2026-10-03', end_to_end_id: 'L2100000006',
  },

  terminal_checkout: {
    id: '08YceKh7B3ZqO', amount_money: { amount: 1850, currency: 'USD' }, reference_id: 'table-12', note: 'Two lattes and a scone', order_id: 'Ord9rT3wK6mZpV2nB8xLc4QsYj',
    payment_options: { autocomplete: true, accept_partial_authorization: false },
    device_options: { device_id: 'device:995CS397A6475287', skip_receipt_screen: false, collect_signature: false, tip_settings: { allow_tipping: true, separate_tip_screen: true, custom_tip_field: false, tip_percentages: [15, 18, 20], smart_tipping: false }, show_itemized_cart: true },
    deadline_duration: 'PT5M', status: 'COMPLETED', payment_ids: ['Zm3kQ8vT1xRp6Lc9NwB2sYdHf'], created_at: '2026-10-06T12:01:10.412Z', updated_at: '2026-10-06T12:02:37.118Z',
    app_id: 'sq0idp-7Kq2Vx9Lm4Tn8Rb3Wc6Zs1', location_id: 'LQ8T3M2V6R0YA', payment_type: 'CARD_PRESENT', tip_money: { amount: 333, currency: 'USD' },
  },

  terminal_refund: {
    id: '009DP5HD-5O5OvgkcNUhl7JBuINflcjKqUzXZY', refund_id: 'Zm3kQ8vT1xRp6Lc9NwB2sYdHf_4nT8wQm2ZpV6rB9xLc3KsYh', payment_id: 'Zm3kQ8vT1xRp6Lc9NwB2sYdHf', order_id: 'Ord9rT3wK6mZpV2nB8xLc4QsYj',
    amount_money: { amount: 600, currency: 'USD' }, reason: 'Returning one latte', device_id: 'device:995CS397A6475287', deadline_duration: 'PT5M', status: 'COMPLETED',
    created_at: '2026-10-06T12:20:44.701Z', updated_at: '2026-10-06T12:21:30.256Z', app_id: 'sq0idp-7Kq2Vx9Lm4Tn8Rb3Wc6Zs1', location_id: 'LQ8T3M2V6R0YA',
  },

  terminal_action: {
    id: 'termapia:jveJIAkkAjILHkdCE', device_id: 'device:995CS397A6475287', deadline_duration: 'PT5M', status: 'COMPLETED', created_at: '2026-10-06T11:58:02.114Z', updated_at: '2026-10-06T11:58:40.902Z',
    app_id: 'sq0idp-7Kq2Vx9Lm4Tn8Rb3Wc6Zs1', location_id: 'LQ8T3M2V6R0YA', type: 'SAVE_CARD',
    save_card_options: { customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA', card_id: 'ccof:Qm7kXv2RtN9pLs4BcW8', reference_id: 'loyalty-signup' },
  },

  card: {
    id: 'ccof:Qm7kXv2RtN9pLs4BcW8', card_brand: 'VISA', last_4: '1111', exp_month: 11, exp_year: 2028, cardholder_name: 'Maya Okafor',
    billing_address: { address_line_1: '1455 Market St', locality: 'San Francisco', administrative_district_level_1: 'CA', postal_code: '94103', country: 'US' },
    fingerprint: 'sq-1-Hb3vQ7mZ2xK9pL4tR8nW6cY1sD5fJ0gA3eU7iO2kT9', customer_id: 'W8RT4ZQK2N6VB1XH9CMPD3FJSA', merchant_id: 'MLQ6N3VK1R8XB', reference_id: 'crm-88213-visa',
    enabled: true, card_type: 'CREDIT', prepaid_type: 'NOT_PREPAID', bin: '411111', created_at: '2026-08-30T12:44:51Z', version: 1,
  },

  location: {
    id: 'LQ8T3M2V6R0YA', name: 'Mission Street', timezone: 'America/Los_Angeles', capabilities: ['CREDIT_CARD_PROCESSING', 'AUTOMATIC_TRANSFERS'], status: 'ACTIVE',
    address: { address_line_1: '2190 Mission St', locality: 'San Francisco', administrative_district_level_1: 'CA', postal_code: '94110', country: 'US' },
    created_at: '2024-10-21T16:05:33.000Z', merchant_id: 'MLQ6N3VK1R8XB', country: 'US', language_code: 'en-US', currency: 'USD', phone_number: '+1 415-555-0100',
    business_name: 'Neighborhood Coffee', type: 'PHYSICAL', website_url: 'https://neighborhood-coffee.example.com',
    business_hours: { periods: [{ day_of_week: 'MON', start_local_time: '07:00:00', end_local_time: '17:00:00' }, { day_of_week: 'SAT', start_local_time: '08:00:00', end_local_time: '15:00:00' }] },
    business_email: 'hello@neighborhood-coffee.example.com', coordinates: { latitude: 37.7617, longitude: -122.4194 }, mcc: '5814',
  },

  device: {
    id: 'device:995CS397A6475287',
    attributes: { type: 'TERMINAL', manufacturer: 'Square', model: 'T2', name: 'Front counter', manufacturers_id: '995CS397A6475287', updated_at: '2026-10-06T11:40:02.771Z', version: '6.51.0000', merchant_token: 'MLQ6N3VK1R8XB' },
    components: [
      { type: 'APPLICATION', application_details: { application_type: 'TERMINAL_API', version: '6.51', device_code_id: 'B3Z6NAMYQSMTM' } },
      { type: 'BATTERY', battery_details: { visible_percent: 87, external_power: 'AVAILABLE_CHARGING' } },
    ],
    status: { category: 'AVAILABLE' },
  },

  device_code: {
    id: 'B3Z6NAMYQSMTM', name: 'Front counter', code: 'EBCARJ', device_id: '995CS397A6475287', product_type: 'TERMINAL_API', location_id: 'LQ8T3M2V6R0YA', status: 'PAIRED',
    pair_by: '2026-09-12T17:21:04.000Z', created_at: '2026-09-12T17:16:04.000Z', status_changed_at: '2026-09-12T17:18:51.000Z', paired_at: '2026-09-12T17:18:51.000Z',
  },

  bank_account: {
    id: 'bact:Zb4Lm8Qx2VtR6nK9', account_number_suffix: '6789', country: 'US', currency: 'USD', account_type: 'BUSINESS_CHECKING', holder_name: 'Neighborhood Coffee LLC',
    primary_bank_identification_number: '121000358', location_id: 'LQ8T3M2V6R0YA', status: 'VERIFIED', creditable: true, debitable: true,
    fingerprint: 'bf-3vQ7mZ2xK9pL4tR8nW6cY1', version: 2, bank_name: 'Bank of America',
  },

  vendor: {
    id: 'INV_V_FGKV7PE4PLZRNBHY', created_at: '2025-02-11T20:03:17.481Z', updated_at: '2026-07-30T09:12:44.032Z', name: 'Bay Roasters Supply',
    address: { address_line_1: '410 Townsend St', locality: 'San Francisco', administrative_district_level_1: 'CA', postal_code: '94107', country: 'US' },
    contacts: [{ id: 'INV_VC_5ZQKX3L8RNV2', name: 'Priya Natarajan', email_address: 'orders@bayroasters.example.com', phone_number: '+14155550199', removed: false, ordinal: 0 }],
    account_number: 'NC-2291', note: 'Delivers Tuesdays and Fridays', version: 3, status: 'ACTIVE',
  },

  transfer_order: {
    id: 'TO_7xKq2VmN9pLs4BcW', source_location_id: 'LQ8T3M2V6R0YA', destination_location_id: 'LH9V2C7K4M1XR', status: 'COMPLETED',
    created_at: '2026-10-01T09:00:12.004Z', updated_at: '2026-10-02T16:45:50.317Z', expected_at: '2026-10-02T16:00:00Z', completed_at: '2026-10-02T16:45:50.317Z',
    notes: 'Weekly bean transfer', tracking_number: '1Z999AA10123456784', created_by_team_member_id: 'TMoK_ogh6rH1o4dV',
    line_items: [{ uid: 'tol-1', item_variation_id: 'QJ4Z6X2VYB7N3M5KLR8PWTHD', quantity_ordered: '12', quantity_pending: '0', quantity_received: '12', quantity_damaged: '0', quantity_canceled: '0' }],
    version: 4,
  },
};
