"""Every GraphQL document the Shopify adapter sends, as constants, with what each costs.

Shopify prices a query before running it (``requestedQueryCost``): an object costs 1, a
scalar or an enum nothing, a connection 2 plus ``first`` times one node, a list of objects
``first`` times one object, a mutation 10. A single query may cost at most 1,000, so the
order documents ask for small pages: an order with all it carries costs about 95, and a
page holds ``ORDERS_PER_PAGE`` of them. The estimates below are what
the client paces its first request of each kind by; after that it paces by the cost Shopify
reported (``tests/unit/shops/test_shopify_queries.py`` computes them all from the schema).

The bulk import's query (``BULK_ORDERS``) is the same order without ``first`` on its
connections: Shopify writes each line item as a line of its own with ``__parentId``.
"""

from __future__ import annotations

#: line items read with an order; an order with more is completed by ``ORDER_LINES``
LINES_PER_ORDER = 10
#: fulfillments, their tracking and their lines read with an order
FULFILLMENTS_PER_ORDER = 3
LINES_PER_FULFILLMENT = 5
REFUNDS_PER_ORDER = 3
#: orders in one page of ``ORDERS_PAGE``: its requested cost stays well under 1,000 (about
#: 760), so that a different count on Shopify's side does not push it over
ORDERS_PER_PAGE = 8

_MONEY = "shopMoney { amount currencyCode }"

#: an order's own fields (no connection): shared by the page, the single order and the bulk
ORDER_SCALARS = f"""
    id legacyResourceId name createdAt updatedAt cancelledAt closed test
    displayFinancialStatus displayFulfillmentStatus
    currencyCode presentmentCurrencyCode taxesIncluded email phone
    currentTotalPriceSet {{ {_MONEY} }}
    currentShippingPriceSet {{ {_MONEY} }}
    currentTotalTaxSet {{ {_MONEY} }}
    currentTotalDiscountsSet {{ {_MONEY} }}
    totalRefundedSet {{ {_MONEY} }}
    customer {{ displayName }}
    shippingAddress {{ name address1 address2 city province zip countryCodeV2 phone }}
    refunds(first: {REFUNDS_PER_ORDER}) {{ id createdAt note totalRefundedSet {{ {_MONEY} }} }}
"""

#: a fulfillment as every document reads it
FULFILLMENT_FIELDS = f"""
    id status createdAt
    trackingInfo(first: 1) {{ company number url }}
    fulfillmentLineItems(first: {LINES_PER_FULFILLMENT}) {{
      pageInfo {{ hasNextPage }}
      nodes {{ quantity lineItem {{ id }} }}
    }}
"""

#: a line item as every document reads it: the unit price after every discount
LINE_FIELDS = f"""
    id title variantTitle sku currentQuantity
    discountedUnitPriceAfterAllDiscountsSet {{ {_MONEY} }}
"""

ORDER_FRAGMENT = f"""
fragment OrderFields on Order {{
  {ORDER_SCALARS}
  fulfillments(first: {FULFILLMENTS_PER_ORDER}) {{ {FULFILLMENT_FIELDS} }}
  lineItems(first: {LINES_PER_ORDER}) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {LINE_FIELDS} }}
  }}
}}
"""

#: orders changed since a time (``query: "updated_at:>='…'"``), oldest change first
ORDERS_PAGE = """
query OrdersPage($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...OrderFields }
  }
}
""" + ORDER_FRAGMENT

ORDER = """
query Order($id: ID!) {
  order(id: $id) { ...OrderFields }
}
""" + ORDER_FRAGMENT

#: the rest of an order's line items, after the first ``LINES_PER_ORDER``
ORDER_LINES = f"""
query OrderLines($id: ID!, $after: String) {{
  order(id: $id) {{
    id
    lineItems(first: 50, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {LINE_FIELDS} }}
    }}
  }}
}}
"""

#: how many orders there are (up to ``limit``): whether the first pass is a bulk import
ORDERS_COUNT = """
query OrdersCount($limit: Int) {
  ordersCount(limit: $limit) { count precision }
}
"""

#: the order's fulfillments with all their lines: what ``was_applied`` reads
ORDER_FULFILLMENTS = """
query OrderFulfillments($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 10) {
      id status createdAt
      trackingInfo(first: 5) { company number url }
      fulfillmentLineItems(first: 30) {
        pageInfo { hasNextPage }
        nodes { quantity lineItem { id } }
      }
    }
  }
}
"""

#: the order's fulfillment orders: what a fulfillment is made of
FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!, $after: String) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5, after: $after, displayable: true) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id status
        lineItems(first: 50) {
          pageInfo { hasNextPage }
          nodes { id remainingQuantity totalQuantity lineItem { id } }
        }
      }
    }
  }
}
"""

FULFILLMENT_CREATE = f"""
mutation FulfillmentCreate($fulfillment: FulfillmentInput!, $message: String) {{
  fulfillmentCreate(fulfillment: $fulfillment, message: $message) {{
    fulfillment {{ {FULFILLMENT_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

TRACKING_UPDATE = f"""
mutation TrackingUpdate($fulfillmentId: ID!, $trackingInfoInput: FulfillmentTrackingInput!,
                        $notifyCustomer: Boolean) {{
  fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId,
                                trackingInfoInput: $trackingInfoInput,
                                notifyCustomer: $notifyCustomer) {{
    fulfillment {{ {FULFILLMENT_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

#: what a refund needs: the order's payments (a refund's parent is a successful SALE or
#: CAPTURE; earlier refunds name theirs) and what was received and refunded
REFUND_CONTEXT = """
query RefundContext($id: ID!) {
  order(id: $id) {
    id currencyCode presentmentCurrencyCode refundable
    totalReceivedSet { shopMoney { amount currencyCode } }
    netPaymentSet { shopMoney { amount currencyCode } }
    transactions(first: 50) {
      id kind status gateway test
      amountSet { shopMoney { amount currencyCode } }
      parentTransaction { id }
    }
  }
}
"""

#: the idempotency key is required on ``refundCreate`` from 2026-04: the same key sent
#: again returns the first refund instead of making a second one
REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}
"""

#: the order's refunds: what ``was_applied`` of a refund reads
ORDER_REFUNDS = """
query OrderRefunds($id: ID!) {
  order(id: $id) {
    id
    refunds(first: 50) { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
  }
}
"""

BULK_RUN = """
mutation BulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}
"""

BULK_POLL = """
query BulkPoll($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode createdAt completedAt objectCount rootObjectCount url
  }
}
"""

#: the bulk import's own query (sent as the string ``query`` of ``BULK_RUN``): every order,
#: with its line items as lines of their own after it; two connections, nesting depth two
BULK_ORDERS = f"""
{{
  orders(sortKey: UPDATED_AT) {{
    edges {{
      node {{
        {ORDER_SCALARS}
        fulfillments(first: {FULFILLMENTS_PER_ORDER}) {{ id status createdAt
          trackingInfo(first: 1) {{ company number url }} }}
        lineItems {{ edges {{ node {{ {LINE_FIELDS} }} }} }}
      }}
    }}
  }}
}}
"""

#: what each operation is expected to cost (``requestedQueryCost``), by operation name: the
#: client paces its first request of each kind by this, and later ones by what Shopify
#: reported; the tests hold each against the cost computed from the schema
COSTS = {
    "OrdersPage": 770, "Order": 100, "OrderLines": 160, "OrdersCount": 1,
    "OrderFulfillments": 690, "FulfillmentOrders": 520, "FulfillmentCreate": 10,
    "TrackingUpdate": 10, "RefundContext": 210, "RefundCreate": 10, "OrderRefunds": 160,
    "BulkRun": 10, "BulkPoll": 1,
}

#: every document, by name, for the tests that hold them against Shopify's schema
DOCUMENTS = {
    "ORDERS_PAGE": ORDERS_PAGE, "ORDER": ORDER, "ORDER_LINES": ORDER_LINES,
    "ORDERS_COUNT": ORDERS_COUNT, "ORDER_FULFILLMENTS": ORDER_FULFILLMENTS,
    "FULFILLMENT_ORDERS": FULFILLMENT_ORDERS, "FULFILLMENT_CREATE": FULFILLMENT_CREATE,
    "TRACKING_UPDATE": TRACKING_UPDATE, "REFUND_CONTEXT": REFUND_CONTEXT,
    "REFUND_CREATE": REFUND_CREATE, "ORDER_REFUNDS": ORDER_REFUNDS, "BULK_RUN": BULK_RUN,
    "BULK_POLL": BULK_POLL, "BULK_ORDERS": BULK_ORDERS,
}
